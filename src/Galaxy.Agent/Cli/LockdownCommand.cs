using System.CommandLine;
using System.Text.Json;
using Galaxy.Agent.Control;
using Galaxy.Agent.Firewall;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy lockdown</c>: replaces Galaxy's table with the static closed ruleset (loopback and DHCP only),
/// reads it back, hardens the kernel's routing settings, and exits. For an early boot service that runs
/// before networking and before the agent; also what an operator runs to shut a router whose agent is stopped.
/// <para><c>galaxy lockdown --agent on|off</c> asks the RUNNING agent instead (<c>POST</c>/<c>DELETE /v1/lockdown</c>):
/// it closes every egress for the LAN and keeps it so, with the tunnels left connected, until <c>--agent off</c>.
/// The offline form would be undone by a running agent at its next change, so it warns when one answers.</para>
/// </summary>
internal static class LockdownCommand
{
    public static Command Create()
    {
        var print = new Option<bool>("--print") { Description = "Print the ruleset instead of applying it." };
        var agent = new Option<string?>("--agent")
        {
            Description = "on: put the running agent into lockdown (no LAN flow leaves, tunnels stay up); off: release it.",
            HelpName = "on|off",
        };
        agent.AcceptOnlyFromAmong("on", "off");
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("lockdown", "Apply the closed ruleset (loopback and DHCP only) and exit; the kernel keeps it until the agent replaces it. With --agent on|off: lock down or release the running agent.")
        {
            print,
            agent,
            socket,
            json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(agent) is not null && result.GetValue(print))
            {
                result.AddError("--print shows the offline ruleset; it does not go with --agent");
            }
        });
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (result.GetValue(agent) is { } onOff)
            {
                return ControlCommandSupport.Call(result, "lockdown", onOff == "on" ? "POST" : "DELETE", "/v1/lockdown", socket, json, (body, writer) =>
                {
                    var state = JsonSerializer.Deserialize(body, ControlJsonContext.Default.LockdownState) ?? throw new JsonException("null lockdown state");
                    writer.WriteLine(state.Lockdown
                        ? $"lockdown: ON — no LAN flow leaves; kill switch {state.KillSwitch}, ruleset {(state.RulesetVerified ? "verified" : "NOT verified")}"
                        : $"lockdown: OFF — egresses come back as they are ready; kill switch {state.KillSwitch}, ruleset {(state.RulesetVerified ? "verified" : "NOT verified")}");
                });
            }

            var ruleset = RulesetBuilder.Lockdown();
            if (result.GetValue(print))
            {
                output.Write(ruleset.ToText());
                return ExitCodes.Ok;
            }

            try
            {
                WarnIfAgentRuns(ControlCommandSupport.ResolveSocket(result.GetValue(socket)), error);
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

    private static void WarnIfAgentRuns(string socketPath, TextWriter error)
    {
        var probe = ControlClient.CallAsync(socketPath, "GET", "/v1/status", TimeSpan.FromSeconds(2), CancellationToken.None).GetAwaiter().GetResult();
        if (probe.Outcome is ControlCallOutcome.Answered or ControlCallOutcome.AccessDenied)
        {
            error.WriteLine($"galaxy lockdown: an agent is running ({socketPath}); it will replace this ruleset at its next change. To hold it closed, run: galaxy lockdown --agent on");
        }
    }
}
