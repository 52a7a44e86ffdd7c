using System.CommandLine;
using System.Text;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy route explain DST[:PORT] [--src IP] [--proto tcp|udp] [--domain NAME] [--json]</c> (also <c>galaxy explain</c>):
/// which rule the running agent would apply to such a flow now, the group, the member chosen, and why.
/// </summary>
internal static class ExplainCommand
{
    /// <summary><c>galaxy route</c>, holding <c>explain</c>.</summary>
    public static Command CreateRoute()
    {
        var route = new Command("route", "Ask the running agent about its routing.");
        route.Subcommands.Add(Create());
        return route;
    }

    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var destination = new Argument<string>("destination") { Description = "IP[:PORT] or [IPv6]:PORT (the port defaults to 443 for tcp, 53 for udp)" };
        var source = new Option<string?>("--src") { Description = "The LAN client's address" };
        var protocol = new Option<string?>("--proto") { Description = "tcp (default) or udp" };
        var domain = new Option<string?>("--domain") { Description = "The name the client asked for (as TLS SNI, HTTP Host or DNS would give it)" };
        var command = new Command("explain", "Show the rule, group and egress the running agent would pick for a flow, and why.")
        {
            destination, source, protocol, domain, socket, json,
        };
        command.SetAction(result =>
        {
            var query = new StringBuilder("dst=").Append(Uri.EscapeDataString(result.GetValue(destination)!));
            Append(query, "src", result.GetValue(source));
            Append(query, "proto", result.GetValue(protocol));
            Append(query, "domain", result.GetValue(domain));
            return ControlCommandSupport.Get(result, "route explain", $"/v1/explain?{query}", socket, json, (body, output) =>
            {
                var view = JsonSerializer.Deserialize(body, ControlJsonContext.Default.ExplainView)
                    ?? throw new JsonException("empty answer");
                output.WriteLine(view.Text);
            });
        });
        return command;
    }

    private static void Append(StringBuilder query, string key, string? value)
    {
        if (value is not null)
        {
            query.Append('&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
