using System.Text.Json;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class EventHubTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 12, 1, TimeSpan.Zero);

    [Fact]
    public async Task Every_subscriber_reads_every_event_in_order()
    {
        var hub = new EventHub(capacity: 16, lostMarker: n => $"lost {n}");
        using var stop = new CancellationTokenSource();
        var first = hub.Subscribe(stop.Token);
        var second = hub.Subscribe(stop.Token);
        hub.Publish("a");
        hub.Publish("b");

        Assert.Equal(["a", "b"], await ReadAsync(first, 2));
        Assert.Equal(["a", "b"], await ReadAsync(second, 2));
    }

    [Fact]
    public async Task A_slow_subscriber_loses_events_and_is_told_how_many_while_publishing_never_waits()
    {
        var hub = new EventHub(capacity: 4, lostMarker: n => $"lost {n}");
        using var stop = new CancellationTokenSource();
        var slow = hub.Subscribe(stop.Token);

        // The reader reads nothing while 10 000 events go out on this thread: a publish that waited for room would
        // never return (the guard turns that hang into a failure instead of a stuck run).
        var publishing = Task.Run(
            () =>
            {
                for (var i = 0; i < 10_000; i++)
                {
                    hub.Publish($"e{i}");
                }
            },
            TestContext.Current.CancellationToken);
        await publishing.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(["e0", "e1", "e2", "e3"], await ReadAsync(slow, 4));

        // Room again: the next event comes after a marker counting exactly what was dropped.
        hub.Publish("next");
        Assert.Equal(["lost 9996", "next"], await ReadAsync(slow, 2));
    }

    [Fact]
    public async Task A_snapshot_comes_first_and_events_published_after_it_follow()
    {
        var hub = new EventHub(capacity: 16);
        using var stop = new CancellationTokenSource();
        var reader = hub.Subscribe(stop.Token, () => ["state-1", "state-2"]);
        hub.Publish("change");
        Assert.Equal(["state-1", "state-2", "change"], await ReadAsync(reader, 3));
    }

    [Fact]
    public async Task Cancelling_a_subscription_completes_its_reader_and_detaches_it()
    {
        var hub = new EventHub();
        using var stop = new CancellationTokenSource();
        var reader = hub.Subscribe(stop.Token);
        Assert.Equal(1, hub.Subscribers);
        await stop.CancelAsync();
        Assert.Equal(0, hub.Subscribers);
        hub.Publish("after");
        var completed = reader.Completion.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken); // a hang guard, not a timing
        await completed;
        Assert.False(reader.TryRead(out var line), $"nothing should arrive after the subscription ended; saw {line}");
    }

    [Fact]
    public void Events_are_the_golden_json_lines_with_only_their_fields()
    {
        Assert.Equal("""{"event":"egress_up","time":"2026-11-26T04:12:01+00:00","egress":"vpn","device":"gxtun0"}""", ControlEvent.EgressUp("vpn", "gxtun0", At).ToJson());
        Assert.Equal("""{"event":"egress_down","time":"2026-11-26T04:12:01+00:00","egress":"vpn","reason":"lockdown"}""", ControlEvent.EgressDown("vpn", "lockdown", At).ToJson());
        Assert.Equal("""{"event":"kill_switch","time":"2026-11-26T04:12:01+00:00","state":"lockdown","ruleset_verified":true}""", ControlEvent.KillSwitch("lockdown", true, At).ToJson());
        Assert.Equal("""{"event":"lost","time":"2026-11-26T04:12:01+00:00","count":12}""", ControlEvent.Lost(12, At).ToJson());
    }

    [Fact]
    public void The_cli_renders_events_for_people_and_passes_unknown_lines_through()
    {
        Assert.Equal("2026-11-26 04:12:01Z  egress vpn DOWN: reconnecting", EventsCommand.Render(ControlEvent.EgressDown("vpn", "reconnecting", At).ToJson()));
        Assert.Equal("2026-11-26 04:12:01Z  egress vpn UP (device gxtun0)", EventsCommand.Render(ControlEvent.EgressUp("vpn", "gxtun0", At).ToJson()));
        Assert.Equal("2026-11-26 04:12:01Z  kill switch lockdown", EventsCommand.Render(ControlEvent.KillSwitch("lockdown", true, At).ToJson()));
        Assert.Equal("2026-11-26 04:12:01Z  12 event(s) lost: this reader was too slow", EventsCommand.Render(ControlEvent.Lost(12, At).ToJson()));
        Assert.Equal("not json", EventsCommand.Render("not json"));
        var roundTrip = JsonSerializer.Deserialize(ControlEvent.EgressUp("vpn", null, At).ToJson(), ControlJsonContext.Default.ControlEvent);
        Assert.Equal(ControlEvent.EgressUp("vpn", null, At), roundTrip);
    }

    private static async Task<List<string>> ReadAsync(System.Threading.Channels.ChannelReader<string> reader, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var lines = new List<string>();
        while (lines.Count < count)
        {
            lines.Add(await reader.ReadAsync(deadline.Token));
        }

        return lines;
    }
}
