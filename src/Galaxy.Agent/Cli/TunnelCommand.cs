using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Tunnels;
using Galaxy.Agent.Tunnels.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy tunnel openvpn-run</c> (hidden, for tests and demos): one OpenVPN egress under its supervisor,
/// in the foreground, with no firewall — so it releases OpenVPN's hold at once. Prints each status change
/// as one JSON line on stdout; SIGTERM or SIGINT stops OpenVPN and exits 0. The profile's remotes are
/// resolved once and pinned; credentials, when the profile needs them, are read from stdin (user name,
/// then password, one line each), never argv.
/// </summary>
internal static class TunnelCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "The .ovpn profile.", Required = true };
        var device = new Option<string>("--dev") { Description = "The tun device OpenVPN creates.", Required = true };
        var mark = new Option<int>("--mark") { Description = "SO_MARK of OpenVPN's packets (decimal).", Required = true };
        var runtime = new Option<string>("--runtime") { Description = "Directory for the sanitized config and the management socket.", Required = true };
        var credentialsStdin = new Option<bool>("--credentials-stdin") { Description = "Read the user name and password from stdin, one line each." };
        var backoffBase = new Option<int>("--backoff-base-ms") { Description = "First reconnect delay.", DefaultValueFactory = _ => 1000 };
        var backoffCap = new Option<int>("--backoff-cap-ms") { Description = "Longest reconnect delay.", DefaultValueFactory = _ => 60000 };

        var run = new Command("openvpn-run", "Run one OpenVPN egress under its supervisor and print its states as JSON lines.")
        {
            profile, device, mark, runtime, credentialsStdin, backoffBase, backoffCap,
        };
        run.SetAction(async (result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            var import = OvpnImporter.ImportFile(result.GetValue(profile)!);
            if (import.Profile is not { } imported)
            {
                foreach (var diagnostic in import.Errors)
                {
                    await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
                }

                return ExitCodes.ConfigError;
            }

            OpenVpnCredentials? credentials = null;
            if (result.GetValue(credentialsStdin))
            {
                var user = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                var password = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                credentials = new OpenVpnCredentials(user ?? string.Empty, password ?? string.Empty);
            }

            var runtimeDirectory = Path.GetFullPath(result.GetValue(runtime)!);
            var remotes = await PinAsync(imported, cancellationToken).ConfigureAwait(false);
            var settings = new OpenVpnEgressSettings(result.GetValue(device)!, result.GetValue(mark), Path.Combine(runtimeDirectory, "mgmt.sock"), runtimeDirectory, remotes);
            var options = new OpenVpnSupervisorOptions
            {
                Backoff = new OpenVpnBackoff(TimeSpan.FromMilliseconds(result.GetValue(backoffBase)), TimeSpan.FromMilliseconds(result.GetValue(backoffCap))),
            };
            return await RunAsync(imported, settings, credentials, options, result.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false);
        });

        var tunnel = new Command("tunnel", "Tunnel diagnostics.") { Hidden = true };
        tunnel.Subcommands.Add(run);
        return tunnel;
    }

    private static async Task<int> RunAsync(OvpnProfile profile, OpenVpnEgressSettings settings, OpenVpnCredentials? credentials, OpenVpnSupervisorOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignals.Handle(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        var supervisor = new OpenVpnSupervisor(profile, settings, credentials, options);
        await using (supervisor.ConfigureAwait(false))
        {
            var printer = PrintAsync(supervisor, output);
            await supervisor.StartAsync(stop.Token).ConfigureAwait(false);
            supervisor.ReleaseHold();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or SIGINT: stop OpenVPN below.
            }

            await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await supervisor.DisposeAsync().ConfigureAwait(false);
            await printer.ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static async Task PrintAsync(OpenVpnSupervisor supervisor, TextWriter output)
    {
        await foreach (var status in supervisor.Changes.ReadAllAsync().ConfigureAwait(false))
        {
            await output.WriteLineAsync(Json(status, supervisor.ProcessId)).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }
    }

    internal static string Json(TunnelStatus status, int? processId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("state", status.State.ToString());
            writer.WriteString("since", status.Since.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("device", status.DeviceName);
            writer.WriteString("detail", status.Detail);
            writer.WriteString("reason", status.Reason);
            writer.WriteNumber("attempt", status.Attempt);
            writer.WriteString("ipv4", status.LocalIPv4?.ToString());
            writer.WriteString("ipv6", status.LocalIPv6?.ToString());
            writer.WriteStartArray("dns");
            foreach (var server in status.DnsServers)
            {
                writer.WriteStringValue(server.ToString());
            }

            writer.WriteEndArray();
            if (processId is { } pid)
            {
                writer.WriteNumber("pid", pid);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<ImmutableArray<PinnedRemote>> PinAsync(OvpnProfile profile, CancellationToken cancellationToken)
    {
        var pinned = ImmutableArray.CreateBuilder<PinnedRemote>();
        for (var i = 0; i < profile.Remotes.Length; i++)
        {
            var remote = profile.Remotes[i];
            var addresses = IPAddress.TryParse(remote.Host, out var literal)
                ? [literal]
                : await System.Net.Dns.GetHostAddressesAsync(remote.Host, cancellationToken).ConfigureAwait(false);
            var address = addresses.FirstOrDefault(a => remote.IpVersion is null
                || (remote.IpVersion == 4) == (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));
            if (address is not null)
            {
                pinned.Add(new PinnedRemote(address, remote.Port, remote.Transport, i));
            }
        }

        return pinned.ToImmutable();
    }
}
