using System.Net;

namespace Galaxy.Agent.Dns;

/// <summary>
/// The names behind the addresses the forwarder answered, for domain routing: a flow to 192.0.2.80 can be
/// matched against "example.test" because a client just resolved that name to that address. Each name is
/// remembered for its record's TTL; the memory holds at most <c>maxAddresses</c> addresses (the least
/// recently answered forgotten first) and <c>maxNamesPerAddress</c> names each (the oldest dropped).
/// Thread-safe; time from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DnsNameMemory
{
    private readonly int _maxAddresses;
    private readonly int _maxNamesPerAddress;
    private readonly TimeProvider _time;
    private readonly Dictionary<IPAddress, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = []; // most recently answered first
    private readonly Lock _lock = new();

    public DnsNameMemory(int maxAddresses = 65536, int maxNamesPerAddress = 8, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAddresses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNamesPerAddress, 1);
        _maxAddresses = maxAddresses;
        _maxNamesPerAddress = maxNamesPerAddress;
        _time = time ?? TimeProvider.System;
    }

    public int AddressCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Remembers that <paramref name="name"/> resolved to <paramref name="address"/>, for <paramref name="ttl"/>.</summary>
    public void Remember(IPAddress address, string name, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero || name.Length == 0)
        {
            return;
        }

        var key = Normalize(address);
        var expires = _time.GetUtcNow() + ttl;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
            }
            else
            {
                node = _recency.AddFirst(new Entry(key));
                _entries[key] = node;
                while (_entries.Count > _maxAddresses && _recency.Last is { } oldest)
                {
                    _recency.RemoveLast();
                    _entries.Remove(oldest.Value.Address);
                }
            }

            var names = node.Value.Names;
            var index = names.FindIndex(n => n.Name == name);
            if (index >= 0)
            {
                names.RemoveAt(index);
            }
            else if (names.Count >= _maxNamesPerAddress)
            {
                names.RemoveAt(0);
            }

            names.Add((name, expires));
        }
    }

    /// <summary>
    /// Remembers every A and AAAA record of <paramref name="reply"/>'s answer section under the record's own
    /// name and under <paramref name="questionName"/> (the name the client asked, which a CNAME chain leads
    /// away from). Returns how many addresses it saw.
    /// </summary>
    public int Learn(ReadOnlySpan<byte> reply, string questionName)
    {
        if (!DnsHeader.TryRead(reply, out var header) || header.AnswerCount == 0 || header.QuestionCount != 1)
        {
            return 0;
        }

        var offset = DnsWire.HeaderLength;
        if (DnsName.TrySkip(reply, ref offset) != DnsReadOutcome.Ok)
        {
            return 0;
        }

        var seen = 0;
        var reader = new DnsRecordReader(reply, header, offset + 4);
        while (reader.TryReadNext(out var record) && record.Section == DnsSection.Answer)
        {
            if (!((record.Type == DnsWire.TypeA && record.Data.Length == 4) || (record.Type == DnsWire.TypeAaaa && record.Data.Length == 16)))
            {
                continue;
            }

            var address = new IPAddress(record.Data);
            var ttl = TimeSpan.FromSeconds(record.Ttl);
            Remember(address, questionName, ttl);
            var nameOffset = record.NameOffset;
            if (DnsName.TryRead(reply, ref nameOffset, out var owner, lowercase: true) == DnsReadOutcome.Ok && owner != questionName)
            {
                Remember(address, owner, ttl);
            }

            seen++;
        }

        return seen;
    }

    /// <summary>The unexpired names <paramref name="address"/> was answered for, oldest first.</summary>
    public bool TryGetNames(IPAddress address, out IReadOnlyList<string> names)
    {
        var key = Normalize(address);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                var list = node.Value.Names;
                list.RemoveAll(n => n.Expires <= now);
                if (list.Count > 0)
                {
                    names = list.ConvertAll(n => n.Name);
                    return true;
                }

                _recency.Remove(node);
                _entries.Remove(key);
            }
        }

        names = [];
        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed record Entry(IPAddress Address)
    {
        public List<(string Name, DateTimeOffset Expires)> Names { get; } = [];
    }
}
