using System.CommandLine;
using Galaxy.Agent.Firewall;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy lockdown</c>: replaces Galaxy's table with the static closed ruleset (loopback and DHCP only),
/// reads it back, hardens the kernel's routing settings, and exits. For an early boot service that runs
/// before networking and before the agent; also what an operator runs to shut the router.
/// </summary>
internal static class LockdownCommand
{
    public static Command Create()
    {
        var print = new Option<bool>("--print") { Description = "Print the ruleset instead of applying it." };
        var command = new Command("lockdown", "Apply the closed ruleset (loopback and DHCP only) and exit; the kernel keeps it until the agent replaces it.")
        {
            print,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var ruleset = RulesetBuilder.Lockdown();
            if (result.GetValue(print))
            {
                output.Write(ruleset.ToText());
                return ExitCodes.Ok;
            }

            try
            {
                using var client = NfTablesClient.Open();
                var applier = new FirewallApplier(client, NullLogger.Instance);
                var verification = applier.Apply(ruleset);
                foreach (var failure in Hardening.Apply())
                {
                    error.WriteLine($"galaxy lockdown: could not set {failure}");
                }

                if (!verification.Matches)
                {
                    error.WriteLine($"galaxy lockdown: applied, but the read-back differs: {verification.Difference}");
                    return ExitCodes.Failure;
                }

                output.WriteLine($"lockdown: table inet {FirewallRuleset.Table} holds the closed ruleset ({ruleset.Rules.Length} rules, verified)");
                return ExitCodes.Ok;
            }
            catch (NetlinkException e)
            {
                error.WriteLine($"galaxy lockdown: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
