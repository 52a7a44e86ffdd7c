using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy relay</c>: the data plane alone — TPROXY listeners (TCP and UDP, on 127.0.0.1 and ::1) and one
/// egress — for benchmarks and tests. The agent runs the same code. It sets no firewall rule: the caller's nftables TPROXY rule and
/// policy routing deliver the flows to <c>127.0.0.1:PORT</c>.
/// </summary>
internal static class RelayCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--tproxy-port") { Description = "Port of the transparent listeners on 127.0.0.1 and ::1.", Required = true };
        var egress = new Option<string>("--egress")
        {
            Description = "Where flows go: direct, direct:DEV, socks5://[USER:PASS@]IP:PORT, http://[USER:PASS@]IP:PORT, reject or drop.",
            DefaultValueFactory = _ => "direct",
        };
        var mark = new Option<string?>("--mark") { Description = "SO_MARK of the egress sockets, decimal or 0x hex (default: none)." };
        var loops = new Option<int>("--loops")
        {
            Description = "Splice threads (default: one per core).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var maxConnections = new Option<int>("--max-connections")
        {
            Description = "Flows relayed at once.",
            DefaultValueFactory = _ => new TcpRelayOptions().MaxConnections,
        };

        var command = new Command("relay", "Run the transparent relay alone (TPROXY listeners, one egress), until SIGTERM.")
        {
            port, egress, mark, loops, maxConnections,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            if (!TryParseMark(result.GetValue(mark), out var markValue))
            {
                await error.WriteLineAsync($"galaxy relay: --mark {result.GetValue(mark)} is not a number").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (!EgressUri.TryParse(result.GetValue(egress)!, markValue, null, out var dialer, out var egressError))
            {
                await error.WriteLineAsync($"galaxy relay: --egress: {egressError}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var listenPort = result.GetValue(port);
            if (listenPort is <= 0 or > 65535 || result.GetValue(loops) < 1)
            {
                await error.WriteLineAsync("galaxy relay: --tproxy-port must be 1-65535 and --loops at least 1").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            return await RunAsync(listenPort, dialer!, result.GetValue(loops), result.GetValue(maxConnections), error, cancellationToken)
                .ConfigureAwait(false);
        });
        return command;
    }

    internal static bool TryParseMark(string? text, out uint mark)
    {
        mark = 0;
        if (text is null)
        {
            return true;
        }

        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mark)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mark);
    }

    private static async Task<int> RunAsync(int port, IEgressDialer dialer, int loopCount, int maxConnections, TextWriter error, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignals.Handle(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        var options = new TcpRelayOptions { MaxConnections = maxConnections };
        var loops = Enumerable.Range(0, loopCount).Select(i => new SpliceLoop($"galaxy-splice-{i}", options.IdleTimeout)).ToArray();
        var relays = new List<TcpRelay>();
        var udpRelays = new List<UdpRelay>();
        try
        {
            foreach (var address in (IPAddress[])[IPAddress.Loopback, IPAddress.IPv6Loopback])
            {
                var endPoint = new IPEndPoint(address, port);
                System.Net.Sockets.Socket[] listeners;
                try
                {
                    // One listener per splice loop (SO_REUSEPORT): each loop accepts its share on its own thread.
                    listeners = TcpRelay.Listen(endPoint, options.Backlog, loopCount);
                }
                catch (System.Net.Sockets.SocketException e) when (address.Equals(IPAddress.IPv6Loopback))
                {
                    // A router without IPv6 relays IPv4 only.
                    await error.WriteLineAsync($"galaxy relay: no IPv6 listener ({e.Message})").ConfigureAwait(false);
                    continue;
                }

                var relay = new TcpRelay(listeners, (_, _, _) => new FlowRoute(dialer), loops, options);
                relays.Add(relay);
                relay.Start();

                var udp = new UdpRelay(UdpRelay.Listen(endPoint), (_, _) => new FlowRoute(dialer), new UdpRelayOptions());
                udpRelays.Add(udp);
                udp.Start();
                await error.WriteLineAsync($"galaxy relay: listening on {endPoint} (tcp, udp), egress {dialer}").ConfigureAwait(false);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return ExitCodes.Ok;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await error.WriteLineAsync($"galaxy relay: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            foreach (var relay in relays)
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var loop in loops)
            {
                loop.Dispose();
            }

            foreach (var udp in udpRelays)
            {
                udp.Dispose();
            }
        }
    }
}
