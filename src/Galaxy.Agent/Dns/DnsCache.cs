using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>
/// Upstream answers by question, for as long as their TTL says (the smallest TTL of the answer section,
/// capped; for NXDOMAIN and NODATA the SOA's negative TTL, RFC 2308), least recently used evicted first.
/// A hit is a copy of the stored reply with the asker's id and question bytes (0x20 case kept) and every TTL
/// lowered by the time it spent here. Thread-safe. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class DnsCache
{
    private readonly DnsCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<DnsCacheKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = []; // most recently used first
    private readonly Lock _lock = new();

    public DnsCache(DnsCacheOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new DnsCacheOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="reply"/> (an upstream reply already checked against its query) under
    /// <paramref name="key"/> when it is cacheable: NOERROR with answers and a TTL above zero, or NXDOMAIN/NODATA
    /// with an SOA. Returns whether it was stored.
    /// </summary>
    public bool Store(DnsCacheKey key, ReadOnlySpan<byte> reply)
    {
        if (DnsResponse.TryRead(reply, out var response) != DnsReadOutcome.Ok || response is null || response.IsTruncated)
        {
            return false;
        }

        uint ttl;
        if (response.ResponseCode == DnsResponseCode.NoError && response.AnswerCount > 0)
        {
            ttl = Math.Min(response.MinAnswerTtl ?? 0, (uint)_options.MaxTtl.TotalSeconds);
        }
        else if (response.ResponseCode is DnsResponseCode.NoError or DnsResponseCode.NameError && response.NegativeTtl is { } negative)
        {
            ttl = Math.Min(negative, (uint)_options.MaxNegativeTtl.TotalSeconds);
        }
        else
        {
            return false;
        }

        if (ttl == 0)
        {
            return false;
        }

        var entry = new Entry(key, reply.ToArray(), response.QuestionEnd, response.TtlOffsets, response.TrailingOptOffset, _time.GetTimestamp(), ttl);
        lock (_lock)
        {
            if (_entries.Remove(key, out var old))
            {
                _recency.Remove(old);
            }

            _entries[key] = _recency.AddFirst(entry);
            while (_entries.Count > _options.MaxEntries && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
            }
        }

        return true;
    }

    /// <summary>
    /// The cached reply to <paramref name="query"/> (the client's raw query, whose parsed form is
    /// <paramref name="parsed"/>), rewritten for it; false when there is none or it has expired.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> query, in DnsQuery parsed, out byte[] reply)
    {
        reply = [];
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(parsed.CacheKey, out var node))
            {
                return false;
            }

            entry = node.Value;
            if (_time.GetElapsedTime(entry.StoredAt).TotalSeconds >= entry.Ttl)
            {
                _entries.Remove(entry.Key);
                _recency.Remove(node);
                return false;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
        }

        var elapsed = (uint)_time.GetElapsedTime(entry.StoredAt).TotalSeconds;
        if (!parsed.HasEdns && entry.TrailingOptOffset > 0)
        {
            // Stored from an EDNS asker, served to one without: the OPT record (last) is cut off (RFC 6891 §7).
            reply = entry.Reply[..entry.TrailingOptOffset];
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(10)) - 1));
        }
        else
        {
            reply = (byte[])entry.Reply.Clone();
        }

        DnsHeader.WriteId(reply, parsed.Id);
        if (parsed.QuestionEnd == entry.QuestionEnd && query.Length >= parsed.QuestionEnd)
        {
            // Same name length: the asker's spelling of it (DNS 0x20 clients check the case they sent).
            query[DnsWire.HeaderLength..parsed.QuestionEnd].CopyTo(reply.AsSpan(DnsWire.HeaderLength));
        }

        DnsMessageWriter.AgeTtls(reply, entry.TtlOffsets, elapsed);

        // RD is the asker's: a cached reply mirrors the query it answers.
        var flags = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(2));
        flags = (ushort)((flags & ~DnsWire.FlagRecursionDesired) | (parsed.Flags & DnsWire.FlagRecursionDesired));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), flags);
        return true;
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _recency.Clear();
        }
    }

    private sealed record Entry(DnsCacheKey Key, byte[] Reply, int QuestionEnd, int[] TtlOffsets, int TrailingOptOffset, long StoredAt, uint Ttl);
}
