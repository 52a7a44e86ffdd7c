using System.Diagnostics;
using System.Net.Sockets;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

/// <summary>
/// The real openvpn 2.6 as a judge: it reads Galaxy's sanitized file plus argv, validates every option
/// (option errors are fatal before the hold), connects to the management socket the oracle listens on
/// (<c>--management-client</c>) and waits for the hold release, and is then stopped. Needs no root: the
/// device is only opened after the hold.
/// </summary>
internal static class OpenVpnOracle
{
    public const string Executable = "/usr/sbin/openvpn";

    public static void RequireInstalled()
    {
        if (!File.Exists(Executable))
        {
            Assert.Skip($"{Executable} is not installed");
        }
    }

    /// <summary>Writes the config into <paramref name="runtime"/>, runs openvpn, and returns whether it reached the hold, with its output.</summary>
    public static async Task<(bool Held, string Output)> ReachesHoldAsync(OvpnProfile profile, string runtime, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(runtime);
        var invocation = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile, runtime) with { Executable = Executable });
        await File.WriteAllTextAsync(invocation.ConfigPath, invocation.ConfigText, cancellationToken);
        var socketPath = invocation.Arguments[invocation.Arguments.IndexOf("--management") + 1];
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);

        var start = new ProcessStartInfo(invocation.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = runtime,
        };
        foreach (var argument in invocation.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var seen = new List<string>();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30)); // a hang guard: openvpn starts slowly on a busy machine
        var held = false;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            // OpenVPN connects only after its options passed; then it announces the hold on the socket.
            using var management = await listener.AcceptAsync(deadline.Token);
            using var reader = new StreamReader(new NetworkStream(management, ownsSocket: false));
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                seen.Add(line);
                if (line.StartsWith(">HOLD:Waiting for hold release", StringComparison.Ordinal))
                {
                    held = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            seen.Add("(no hold within 10 s)");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            seen.Insert(0, await stdout);
        }

        var output = $"{string.Join("\n", seen)}\n{await stderr}\nconfig:\n{invocation.ConfigText}\nargv: {string.Join(' ', invocation.Arguments)}";
        return (held && !seen.Any(l => l.Contains("Options error", StringComparison.Ordinal)), output);
    }
}
