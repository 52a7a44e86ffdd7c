using System.Net;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// The UDP relay's sessions: at most <c>capacity</c> in all and <c>perClient</c> per client address,
/// least recently used first out. Pure bookkeeping (no sockets), used by one thread. Adding past a limit
/// evicts — the client's own oldest session when that client is at its cap, else the oldest of all — and
/// hands the evicted session back so its owner can close it.
/// </summary>
internal sealed class UdpSessionTable<TSession>
    where TSession : class
{
    private readonly int _capacity;
    private readonly int _perClient;
    private readonly Dictionary<UdpFlowKey, LinkedListNode<Entry>> _byKey = [];
    private readonly Dictionary<IPAddress, int> _perClientCount = [];
    private readonly LinkedList<Entry> _recency = new(); // first = most recently used

    public UdpSessionTable(int capacity, int perClient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClient, 1);
        _capacity = capacity;
        _perClient = perClient;
    }

    public int Count => _byKey.Count;

    /// <summary>Finds a session and marks it used now.</summary>
    public bool TryGet(UdpFlowKey key, long now, out TSession session)
    {
        if (_byKey.TryGetValue(key, out var node))
        {
            node.Value.LastUsed = now;
            _recency.Remove(node);
            _recency.AddFirst(node);
            session = node.Value.Session;
            return true;
        }

        session = null!;
        return false;
    }

    /// <summary>Marks a session used (a reply came back through it).</summary>
    public void Touch(UdpFlowKey key, long now) => TryGet(key, now, out _);

    /// <summary>Adds a session; returns the one evicted to make room, if any.</summary>
    public TSession? Add(UdpFlowKey key, TSession session, long now, long idleTimeout)
    {
        if (_byKey.ContainsKey(key))
        {
            throw new InvalidOperationException($"a session for {key} exists already");
        }

        TSession? evicted = null;
        var client = key.Client.Address;
        if (_perClientCount.GetValueOrDefault(client) >= _perClient)
        {
            evicted = EvictOldest(entry => entry.Key.Client.Address.Equals(client));
        }
        else if (_byKey.Count >= _capacity)
        {
            evicted = EvictOldest(_ => true);
        }

        var node = _recency.AddFirst(new Entry(key, session, now, idleTimeout));
        _byKey.Add(key, node);
        _perClientCount[client] = _perClientCount.GetValueOrDefault(client) + 1;
        return evicted;
    }

    public bool Remove(UdpFlowKey key)
    {
        if (!_byKey.Remove(key, out var node))
        {
            return false;
        }

        _recency.Remove(node);
        var client = key.Client.Address;
        var count = _perClientCount[client] - 1;
        if (count == 0)
        {
            _perClientCount.Remove(client);
        }
        else
        {
            _perClientCount[client] = count;
        }

        return true;
    }

    /// <summary>Removes and returns every session idle past its own timeout.</summary>
    public List<TSession> RemoveExpired(long now)
    {
        var expired = new List<TSession>();
        for (var node = _recency.Last; node is not null;)
        {
            var previous = node.Previous;
            if (now - node.Value.LastUsed >= node.Value.IdleTimeout)
            {
                Remove(node.Value.Key);
                expired.Add(node.Value.Session);
            }

            node = previous;
        }

        return expired;
    }

    public IEnumerable<TSession> All => _recency.Select(entry => entry.Session);

    private TSession? EvictOldest(Func<Entry, bool> match)
    {
        for (var node = _recency.Last; node is not null; node = node.Previous)
        {
            if (match(node.Value))
            {
                Remove(node.Value.Key);
                return node.Value.Session;
            }
        }

        return null;
    }

    private sealed class Entry(UdpFlowKey key, TSession session, long lastUsed, long idleTimeout)
    {
        public UdpFlowKey Key { get; } = key;

        public TSession Session { get; } = session;

        public long LastUsed { get; set; } = lastUsed;

        public long IdleTimeout { get; } = idleTimeout;
    }
}
