using System.Net;
using System.Text;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class ControlReloadAndExplainTests
{
    private static async Task<(int Status, string Body, string? Allow)> CallAsync(string method, string path, string query, FakeAgentControl agent)
    {
        var request = new HttpRequest(method, path, query, [new("Host", "galaxy")], []);
        var response = await ControlRouter.RouteAsync(request, agent, TestContext.Current.CancellationToken);
        return (response.StatusCode, Encoding.UTF8.GetString(response.Body), response.Allow);
    }

    [Fact]
    public async Task An_applied_reload_is_200_and_a_refused_one_422_with_every_reason()
    {
        var agent = new FakeAgentControl();
        var (status, body, _) = await CallAsync("POST", "/v1/reload", "", agent);
        Assert.Equal(200, status);
        Assert.Equal("""{"applied":true,"summary":"1 rule(s), 1 group(s), default \u0027default\u0027","errors":[]}""", body);

        agent.NextReload = new ReloadView(false, "the file was refused; the running configuration stays", ["/etc/galaxy/galaxy.toml:12: 'to' names 'moon'"]);
        (status, body, _) = await CallAsync("POST", "/v1/reload", "", agent);
        Assert.Equal(422, status);
        Assert.Contains("\"applied\":false", body, StringComparison.Ordinal);
        Assert.Contains("galaxy.toml:12: \\u0027to\\u0027 names \\u0027moon\\u0027", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/reload", "POST")]
    [InlineData("POST", "/v1/explain", "GET")]
    public async Task Wrong_methods_are_405_with_allow(string method, string path, string allow)
    {
        var (status, _, seen) = await CallAsync(method, path, "dst=203.0.113.10", new FakeAgentControl());
        Assert.Equal((405, allow), (status, seen));
    }

    [Fact]
    public async Task Explain_passes_the_flow_and_answers_the_view()
    {
        var agent = new FakeAgentControl();
        var (status, body, _) = await CallAsync("GET", "/v1/explain", "dst=203.0.113.10%3A8443&src=198.51.100.2&proto=tcp&domain=www.example.test", agent);
        Assert.Equal(200, status);
        Assert.Equal(new ExplainQuery(IPAddress.Parse("198.51.100.2"), IPAddress.Parse("203.0.113.10"), 8443, false, "www.example.test"), agent.LastExplain);
        Assert.Contains("\"egress\":\"vps\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "dst is required")]
    [InlineData("dst=not-an-ip", "is not IP[:PORT]")]
    [InlineData("dst=203.0.113.10&proto=icmp", "proto must be tcp or udp")]
    [InlineData("dst=203.0.113.10&src=nobody", "is not an IP address")]
    [InlineData("dst=203.0.113.10&colour=red", "unknown parameter 'colour'")]
    [InlineData("dst=203.0.113.10:0", "is not IP[:PORT]")]
    public async Task A_malformed_explain_query_is_400_and_says_why(string query, string reason)
    {
        var (status, body, _) = await CallAsync("GET", "/v1/explain", query, new FakeAgentControl());
        Assert.Equal(400, status);
        Assert.Contains(reason.Replace("'", "\\u0027", StringComparison.Ordinal), body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dst=203.0.113.10", "203.0.113.10", 443, false)]
    [InlineData("dst=203.0.113.10&proto=udp", "203.0.113.10", 53, true)]
    [InlineData("dst=%5B2001%3Adb8%3A%3A1%5D%3A80", "2001:db8::1", 80, false)]
    [InlineData("dst=2001:db8::1", "2001:db8::1", 443, false)]
    public void Explain_queries_default_the_port_by_protocol(string query, string address, int port, bool udp)
    {
        var parsed = ExplainQuery.Parse(query, out var error);
        Assert.True(parsed is not null, error);
        Assert.Equal((IPAddress.Parse(address), port, udp), (parsed.Destination, parsed.Port, parsed.Udp));
    }
}
