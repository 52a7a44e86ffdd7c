using Galaxy.Agent.Cli;

return GalaxyCli.Run(args, Console.Out, Console.Error);
