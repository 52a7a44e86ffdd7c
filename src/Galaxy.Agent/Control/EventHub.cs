using System.Threading.Channels;

namespace Galaxy.Agent.Control;

/// <summary>
/// Fans the agent's events (one JSON line each) out to the event-stream subscribers. Each subscriber has its own
/// bounded channel: <see cref="Publish"/> only ever <c>TryWrite</c>s, so a slow or stuck reader can never block
/// the agent. When a subscriber's channel is full its events are dropped and counted; before the next event
/// that fits, it gets one marker line (<see cref="ControlEvent.Lost"/>) saying how many it missed.
/// </summary>
internal sealed class EventHub
{
    /// <summary>Events a subscriber may have waiting before it starts losing them.</summary>
    public const int DefaultCapacity = 256;

    private readonly int _capacity;
    private readonly Func<long, string> _lostMarker;
    private readonly Lock _gate = new();
    private Subscriber[] _subscribers = [];

    public EventHub(int capacity = DefaultCapacity, Func<long, string>? lostMarker = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _capacity = capacity;
        _lostMarker = lostMarker ?? (count => ControlEvent.Lost(count, DateTimeOffset.UtcNow).ToJson());
    }

    /// <summary>How many subscribers are attached now.</summary>
    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    /// <summary>Queues <paramref name="line"/> for every subscriber; never waits.</summary>
    public void Publish(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(line, _lostMarker);
        }
    }

    /// <summary>
    /// A reader of every event published from now on, until <paramref name="ct"/> is cancelled (the reader then
    /// completes). <paramref name="snapshot"/>, when given, is asked for the current state once the subscriber is
    /// attached and its lines come first: an event published meanwhile comes after them (and then repeats what the
    /// snapshot already says), so the reader's picture is never older than the stream.
    /// </summary>
    public ChannelReader<string> Subscribe(CancellationToken ct, Func<IEnumerable<string>>? snapshot = null)
    {
        var subscriber = new Subscriber(Channel.CreateBounded<string>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: full means "drop and count"
        }));
        subscriber.Hold();
        try
        {
            lock (_gate)
            {
                _subscribers = [.. _subscribers, subscriber];
            }

            foreach (var line in snapshot?.Invoke() ?? [])
            {
                subscriber.OfferHeld(line, _lostMarker);
            }
        }
        finally
        {
            subscriber.Release();
        }

        ct.Register(() =>
        {
            lock (_gate)
            {
                _subscribers = [.. _subscribers.Where(s => s != subscriber)];
            }

            subscriber.Channel.Writer.TryComplete();
        });
        return subscriber.Channel.Reader;
    }

    private sealed class Subscriber(Channel<string> channel)
    {
        private readonly Lock _gate = new();
        private long _lost;

        public Channel<string> Channel { get; } = channel;

        public void Hold() => _gate.Enter();

        public void Release() => _gate.Exit();

        public void Offer(string line, Func<long, string> lostMarker)
        {
            lock (_gate)
            {
                OfferHeld(line, lostMarker);
            }
        }

        /// <summary>Queues a line; the caller holds the gate.</summary>
        public void OfferHeld(string line, Func<long, string> lostMarker)
        {
            if (_lost > 0)
            {
                if (!Channel.Writer.TryWrite(lostMarker(_lost)))
                {
                    _lost++;
                    return;
                }

                _lost = 0;
            }

            if (!Channel.Writer.TryWrite(line))
            {
                _lost++;
            }
        }
    }
}
