using Galaxy.Agent.Relay.Sniffing;

namespace Galaxy.Agent.Tests.Relay.Sniffing;

public sealed class DomainSnifferTests
{
    private static readonly string[] AllFixtures = ["curl-tls13", "openssl-tls12", "openssl-nosni", "openssl-fragmented", "wget-tls", "curl-http"];

    [Theory]
    [InlineData("curl-tls13", "example.test")]
    [InlineData("curl-http", "plain.example.test")]
    public void Tls_and_http_are_both_recognised(string fixture, string expected)
    {
        var outcome = DomainSniffer.Sniff(Fixtures.Load(fixture), out var domain);

        Assert.True(outcome == SniffOutcome.Found && domain == expected, $"expected Found \"{expected}\", saw {outcome} \"{domain}\"");
    }

    [Fact]
    public void No_bytes_yet_needs_more()
    {
        Assert.Equal(SniffOutcome.NeedMore, DomainSniffer.Sniff([], out _));
    }

    [Fact]
    public void Hostile_mutations_of_real_bytes_never_throw_and_only_ever_yield_host_names()
    {
        // Fixed seed: the same 60 000 mutants every run. Spans are bounds-checked, so a read out of bounds would
        // throw here rather than pass unnoticed.
        var random = new Random(4711);
        var fixtures = AllFixtures.Select(Fixtures.Load).Append(Fixtures.Rerecord(Fixtures.Load("curl-tls13"), 60, 300)).ToArray();
        var outcomes = new Dictionary<SniffOutcome, int>();
        for (var i = 0; i < 60_000; i++)
        {
            var mutant = Mutate(fixtures[i % fixtures.Length], random);
            SniffOutcome outcome;
            string? domain;
            try
            {
                outcome = DomainSniffer.Sniff(mutant, out domain);
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i} ({Convert.ToHexString(mutant)}) threw {e}");
                return;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome == SniffOutcome.Found)
            {
                Assert.True(domain is { Length: > 0 and <= 253 } && domain.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'),
                    $"mutant {i}: a found name must be a normalised host name, saw \"{domain}\"");
            }
            else
            {
                Assert.True(domain is null, $"mutant {i}: {outcome} must come without a name, saw \"{domain}\"");
            }
        }

        // The mutations must reach every outcome, or they test little.
        Assert.True(outcomes.Count == 4, $"expected all four outcomes among the mutants, saw {string.Join(", ", outcomes)}");
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(5))
            {
                case 0: // flip a byte
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 1: // an extreme length somewhere
                    var at = random.Next(bytes.Length - 1);
                    bytes[at] = 0xff;
                    bytes[at + 1] = random.Next(2) == 0 ? (byte)0xff : (byte)0x00;
                    break;
                case 2: // cut short
                    bytes = bytes[..random.Next(bytes.Length)];
                    if (bytes.Length < 2)
                    {
                        return bytes;
                    }

                    break;
                case 3: // small lengths near the front (record, handshake, session id)
                    bytes[random.Next(Math.Min(48, bytes.Length))] = (byte)random.Next(8);
                    break;
                default: // drop a range
                    var from = random.Next(bytes.Length);
                    var count = random.Next(Math.Min(64, bytes.Length - from) + 1);
                    bytes = [.. bytes[..from], .. bytes[(from + count)..]];
                    if (bytes.Length < 2)
                    {
                        return bytes;
                    }

                    break;
            }
        }

        return bytes;
    }
}
