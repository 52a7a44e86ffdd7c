using System.Diagnostics;
using System.Text;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

/// <summary>
/// Random mutations of valid profiles with a fixed seed (the same 5 000 inputs every run, so a failure reproduces): the importer
/// never throws, never hangs on one input, and whenever it says "importable" the generated config and argv hold nothing forbidden.
/// No timing is asserted beyond the hang guard: on a loaded machine a parse may be slow, never endless.
/// </summary>
public sealed class OvpnParserFuzzTests
{
    private const int Seed = 20261125;
    private const int Iterations = 5_000;
    private const int MaxInputBytes = 64 * 1024;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static readonly string[] Fragments =
    [
        "\"", "'", "\\", "#", ";", "<", ">", "</", "/", "\n", "\r", "\r\n", " ", "\t", "\0", "--", "\\\n", "\\ ",
        "<connection>\n", "</connection>\n", "<ca>\n", "</ca>\n", "<up>\n", "</up>\n", "up ", "plugin ", "management ",
        "setenv opt ", "script-security 2", "route-up /x", "remote evil.example 1", "dev tap", "config /etc/x",
        "ignore-unknown-option up\n", "ca ../x\n", "\"up\"", "'up'", "u\\p", "redirect-gateway def1\n", "mark 0x47\n",
        "auth-user-pass /x\n", "pull-filter accept route\n", "log /tmp/x\n", "verb 3\n",
    ];

    [Fact]
    public async Task Random_mutations_never_crash_never_hang_and_never_let_a_forbidden_directive_through()
    {
        var random = new Random(Seed);
        string[] seeds =
        [
            OvpnSamples.Commercial,
            OvpnSamples.Connections,
            OvpnSamples.Minimal + "verify-x509-name \"CN=a \\\"b\\\"\" name\nsetenv opt block-outside-dns\ncomp-lzo\n",
            OvpnSamples.Minimal + "<connection>\nremote b 443 tcp\nconnect-timeout 5\n</connection>\n",
        ];
        var clock = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        var importable = 0;
        var iteration = 0;
        for (; iteration < Iterations; iteration++)
        {
            var input = Mutate(random, Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]));
            var one = Stopwatch.StartNew();
            OvpnImportResult result;
            var import = Task.Run(() => OvpnImporter.Import("fuzz.ovpn", input, folder: null), TestContext.Current.CancellationToken);
            try
            {
                // Waited for with a bound, so a parse that never ends fails the test instead of holding the run.
                result = await import.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}) did not end within {HangGuard.TotalSeconds:0} s\ninput:\n{Show(input)}");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}) threw {e}\ninput:\n{Show(input)}");
                return;
            }

            if (result.IsImportable)
            {
                importable++;
                CheckOutput(result.Profile!, iteration, input);
            }

            slowest = one.Elapsed > slowest ? one.Elapsed : slowest;
        }

        Assert.True(importable >= 100, $"only {importable} of {iteration} mutations were importable; the fuzz run checks too little output");
        TestContext.Current.SendDiagnosticMessage($"{iteration} mutations in {clock.Elapsed.TotalSeconds:0.0} s, {importable} importable, slowest {slowest.TotalMilliseconds:0.0} ms");
    }

    private static void CheckOutput(OvpnProfile profile, int iteration, byte[] input)
    {
        var invocation = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile));
        // Messages are built only on failure: building them for every input would dominate the run.
        void Fail(string what) => Assert.Fail($"{what}; iteration {iteration} (seed {Seed}); input:\n{Show(input)}\nconfig:\n{invocation.ConfigText}");

        foreach (var argument in invocation.Arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            if (!OpenVpnCommandLineTests.GalaxyOptions.Contains(argument))
            {
                Fail($"unexpected option {argument} on argv");
            }
        }

        if (invocation.Arguments.Any(a => a.Any(char.IsControl)))
        {
            Fail("a control character on argv");
        }

        var parsed = OvpnParser.Parse("generated.conf", Encoding.UTF8.GetBytes(invocation.ConfigText));
        if (!parsed.Errors.IsEmpty)
        {
            Fail($"the generated config does not parse: {string.Join("; ", parsed.Errors)}");
        }

        foreach (var directive in parsed.Directives)
        {
            if (directive.IsConnectionBlock)
            {
                foreach (var inner in directive.Block)
                {
                    var innerRule = OvpnPolicy.Find(inner.Name);
                    if (!(inner.Name is "remote" or "nobind" || innerRule is { Verdict: OvpnVerdict.Allow } && innerRule.Has(OvpnRuleFlags.Connection) && !innerRule.Has(OvpnRuleFlags.Consumed)))
                    {
                        Fail($"'{inner.Name}' written inside a <connection> block");
                    }
                }

                continue;
            }

            var rule = OvpnPolicy.Find(directive.Name);
            if (!(rule is { Verdict: OvpnVerdict.Allow } && !rule.Has(OvpnRuleFlags.Consumed) && directive.Name is not ("setenv" or "ignore-unknown-option")))
            {
                Fail($"'{directive.Name}' written to the config");
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var data = new List<byte>(seed);
        var operations = random.Next(1, 5);
        for (var i = 0; i < operations; i++)
        {
            var at = random.Next(data.Count + 1);
            switch (random.Next(6))
            {
                case 0:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Fragments[random.Next(Fragments.Length)]));
                    break;
                case 1:
                    if (data.Count > 0)
                    {
                        var at0 = Math.Min(at, data.Count - 1);
                        data.RemoveRange(at0, Math.Min(random.Next(1, 16), data.Count - at0));
                    }

                    break;
                case 2:
                    if (data.Count > 0)
                    {
                        data[Math.Min(at, data.Count - 1)] = (byte)random.Next(256);
                    }

                    break;
                case 3:
                    // A forbidden line at the start of a random line.
                    var lineStart = data.LastIndexOf((byte)'\n', Math.Max(0, at - 1)) + 1;
                    data.InsertRange(lineStart, Encoding.UTF8.GetBytes(Fragments[random.Next(Fragments.Length)] + " /tmp/x\n"));
                    break;
                case 4:
                    // Duplicate a slice somewhere else.
                    var from = random.Next(data.Count + 1);
                    var length = Math.Min(random.Next(1, 200), data.Count - from);
                    data.InsertRange(at, data.GetRange(from, length));
                    break;
                default:
                    const string Structural = "\"'\\#;<> \t\r\n";
                    data.Insert(at, (byte)Structural[random.Next(Structural.Length)]);
                    break;
            }
        }

        return data.Count > MaxInputBytes ? [.. data.Take(MaxInputBytes)] : [.. data];
    }

    private static string Show(byte[] input) =>
        string.Concat(Encoding.UTF8.GetString(input).Select(c => char.IsControl(c) && c != '\n' ? $"\\x{(int)c:X2}" : c.ToString()));
}
