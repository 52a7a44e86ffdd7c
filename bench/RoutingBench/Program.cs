using System.Diagnostics;
using System.Globalization;
using System.Net;
using Galaxy.Agent.Routing.Rules;
using Galaxy.Agent.Tests.Routing.Rules;

// Cost of one RouteTable.Decide with RULES destination-CIDR rules (IPv4 and IPv6), DOMAINS domain rules
// in front of them and COUNTRIES GeoIP rules behind them (MaxMind DB reader on a generated database).
// Prints a Markdown table: ns and bytes allocated per decision for each kind of flow.
var cidrRules = Arg(0, 10_000);
var iterations = Arg(1, 1_000_000);
const int DomainRules = 20;
const int CountryRules = 5;

var random = new Random(7);
var rules = new List<RouteRule>();
for (var i = 0; i < DomainRules; i++)
{
    rules.Add(new RouteRule { Name = $"domain{i}", Action = RouteAction.Group("streaming"), Domains = [DomainPattern.Parse($".site{i}.example"), DomainPattern.Parse($"keyword:video{i}")] });
}

for (var i = 0; i < cidrRules; i++)
{
    var network = i % 4 == 3
        ? new IPNetwork(new IPAddress([0x20, 0x01, 0x0d, 0xb8, (byte)(i >> 8), (byte)i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 48)
        : new IPNetwork(new IPAddress([10, (byte)(i >> 8), (byte)i, 0]), 24 + random.Next(0, 5) * 2);
    var masked = IPNetwork.Parse($"{Mask(network.BaseAddress, network.PrefixLength)}/{network.PrefixLength}");
    rules.Add(new RouteRule { Name = $"cidr{i}", Action = RouteAction.Egress($"e{i % 3}"), Destinations = [masked], Ports = i % 5 == 0 ? [new PortRange(443, 443)] : [] });
}

var countries = new[] { "US", "DE", "GB", "JP", "SE" };
for (var i = 0; i < CountryRules; i++)
{
    rules.Add(new RouteRule { Name = $"geo{i}", Action = RouteAction.Egress($"exit-{countries[i]}"), Countries = [countries[i]] });
}

var geoEntries = Enumerable.Range(0, 1000).Select(i => ($"100.{64 + i / 256}.{i % 256}.0/24", countries[i % countries.Length])).ToArray();
using var geo = MaxMindCountryLookup.Open(new MemoryStream(MmdbFixtureWriter.Write(geoEntries)));
var table = RouteTable.Compile(rules, "default", geo);
var client = IPAddress.Parse("192.0.2.10");

var scenarios = new (string Name, string Expect, FlowQuery[] Flows)[]
{
    ("IPv4 destination in a CIDR rule", "cidr", Flows(i => new FlowQuery(client, "lan0", new IPAddress([10, (byte)(V4Rule(i) >> 8), (byte)V4Rule(i), 0]), 443, RouteProtocol.Tcp, "www.example.org"))),
    ("IPv6 destination in a CIDR rule", "cidr", Flows(i => new FlowQuery(client, "lan0", new IPAddress([0x20, 0x01, 0x0d, 0xb8, (byte)(V6Rule(i) >> 8), (byte)V6Rule(i), 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 443, RouteProtocol.Tcp))),
    ("domain rule (suffix/keyword)", "domain", Flows(i => new FlowQuery(client, "lan0", new IPAddress([10, (byte)(i >> 8), (byte)i, 1]), 443, RouteProtocol.Tcp, $"cdn.site{i % DomainRules}.example"))),
    ("GeoIP country rule (MaxMind DB lookup)", "geo", Flows(i => new FlowQuery(client, "lan0", new IPAddress([100, (byte)(64 + (i % 1000) / 256), (byte)(i % 256), 9]), 443, RouteProtocol.Tcp))),
    ("no rule matches (GeoIP miss, default group)", "default", Flows(i => new FlowQuery(client, "lan0", new IPAddress([198, 51, 100, (byte)i]), 443, RouteProtocol.Tcp))),
};

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| flow ({cidrRules} CIDR rules, {DomainRules} domain rules, {CountryRules} GeoIP rules; index: {table.IndexRanges.V4} IPv4 + {table.IndexRanges.V6} IPv6 ranges) | ns per decision | bytes allocated per decision |"));
Console.WriteLine("| --- | ---: | ---: |");
foreach (var (name, expect, flows) in scenarios)
{
    foreach (var f in flows)
    {
        var d = table.Decide(f);
        if (!d.RuleName.StartsWith(expect, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"routing bench: scenario '{name}' expected a '{expect}' rule, got {d.Why}");
            return 1;
        }
    }

    var sum = 0L;
    var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
    var watch = Stopwatch.StartNew();
    for (var n = 0; n < iterations; n++)
    {
        sum += table.Decide(flows[n & (flows.Length - 1)]).RuleIndex;
    }

    watch.Stop();
    var bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
    GC.KeepAlive(sum);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {watch.Elapsed.TotalNanoseconds / iterations:0} | {(double)bytes / iterations:0.#} |"));
}

return 0;

FlowQuery[] Flows(Func<int, FlowQuery> make) => [.. Enumerable.Range(0, 1024).Select(make)];

// Every fourth CIDR rule (index % 4 == 3) is IPv6: flow i aims at the i-th IPv4 or IPv6 rule's network.
int V4Rule(int i) => (i / 3 * 4) + (i % 3);

int V6Rule(int i) => (i * 4) + 3;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static IPAddress Mask(IPAddress address, int length)
{
    var bytes = address.GetAddressBytes();
    for (var bit = length; bit < bytes.Length * 8; bit++)
    {
        bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
    }

    return new IPAddress(bytes);
}
