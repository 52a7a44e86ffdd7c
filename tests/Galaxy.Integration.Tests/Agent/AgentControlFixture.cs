using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// One router lab and one running agent (the published binary) for a whole class of control-socket contract tests:
/// a direct egress "out", the lab's web server and DNS server, <c>[dns] servers</c> pointing at it, and
/// <c>[log] level = "debug"</c> with no <c>--log-level</c> (so the configured level is the one in force).
/// Tests that change the agent's state (lockdown, socket modes) put it back before they end.
/// </summary>
public sealed class AgentControlFixture : IAsyncLifetime
{
    private RouterLab? _lab;

    internal RouterLab Lab => _lab ?? throw new InvalidOperationException("the fixture is not initialised");

    internal LabProcess Agent { get; private set; } = null!;

    public string Socket => Lab.ControlSocket;

    public async ValueTask InitializeAsync()
    {
        _lab = await RouterLab.CreateAsync();
        await _lab.StartWebServerAsync();
        await _lab.StartDnsServerAsync();
        var config = _lab.WriteConfig(
            """
            [routing]
            default = "out"

            [[egress]]
            name = "out"
            type = "direct"

            [log]
            level = "debug"
            """,
            $"servers = [\"{RouterLab.DnsServer}\"]");
        Agent = _lab.Router.Start(Artifacts.GalaxyBinary, "agent", "--config", config);
        await Agent.WaitForOutputAsync("ready:", TimeSpan.FromSeconds(20));
        await Agent.WaitForOutputAsync("egress out is UP", TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    /// <summary>curl on the control socket in the router: exit code, HTTP status, body.</summary>
    internal async Task<(int Exit, int Status, string Body)> CurlAsync(string path, string method = "GET", string[]? asUser = null)
    {
        var argv = new List<string>();
        if (asUser is not null)
        {
            argv.Add("setpriv");
            argv.AddRange(asUser);
        }

        argv.AddRange(["curl", "-sS", "--max-time", "5", "-X", method, "--unix-socket", Socket, "-w", "\n%{http_code}", $"http://galaxy{path}"]);
        var result = await Lab.Router.RunAsync(argv);
        var stdout = result.StandardOutput;
        var cut = stdout.LastIndexOf('\n');
        var status = cut >= 0 && int.TryParse(stdout[(cut + 1)..], out var code) ? code : 0;
        return (result.ExitCode, status, status == 0 ? stdout + result.StandardError : stdout[..cut]);
    }

    /// <summary>GET <paramref name="path"/> with curl, asserting 200, as JSON.</summary>
    internal async Task<JsonDocument> GetJsonAsync(string path)
    {
        var (exit, status, body) = await CurlAsync(path);
        Assert.True(exit == 0 && status == 200, $"GET {path}: curl exit {exit}, HTTP {status}: {body} | agent: {Agent.Output()}");
        return JsonDocument.Parse(body);
    }

    /// <summary>The <c>galaxy</c> CLI in the router against this agent's socket.</summary>
    internal Task<CommandResult> CliAsync(params string[] argv) =>
        Lab.Router.RunAsync([Artifacts.GalaxyBinary, .. argv, "--socket", Socket]);
}
