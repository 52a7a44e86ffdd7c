using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Dns;

/// <summary>
/// Answers one client query: from the cache, or by asking the upstream resolvers through the current egress
/// (UDP, each server in turn with a timeout; TCP when the client asked over TCP or a UDP reply came back
/// truncated). No egress → SERVFAIL at once, nothing sent anywhere. Every answered A/AAAA goes to the name
/// memory. The upstream sees a fresh random id; the client gets its own back.
/// </summary>
internal sealed partial class DnsForwarder
{
    private readonly DnsUpstreamSource _upstream;
    private readonly DnsCache _cache;
    private readonly DnsNameMemory _names;
    private readonly DnsForwarderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<DnsCacheKey, Task> _pending = [];
    private readonly Lock _pendingLock = new();
    private long _queries;
    private long _cacheHits;
    private long _upstreamQueries;
    private long _upstreamFailures;
    private long _serverFailures;
    private long _malformed;
    private long _tcpFallbacks;

    public DnsForwarder(
        DnsUpstreamSource upstream, DnsCache cache, DnsNameMemory names, DnsForwarderOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _upstream = upstream;
        _cache = cache;
        _names = names;
        _options = options ?? new DnsForwarderOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public DnsCache Cache => _cache;

    public DnsNameMemory Names => _names;

    public DnsStatistics Statistics => new(
        Interlocked.Read(ref _queries), Interlocked.Read(ref _cacheHits), Interlocked.Read(ref _upstreamQueries),
        Interlocked.Read(ref _upstreamFailures), Interlocked.Read(ref _serverFailures), Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _tcpFallbacks));

    /// <summary>
    /// The reply to <paramref name="query"/>, or null when nothing should be sent back (not a DNS query at all:
    /// shorter than a header, or a response). Throws only <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> ends (the server is stopping).
    /// </summary>
    public async ValueTask<byte[]?> ResolveAsync(ReadOnlyMemory<byte> query, DnsTransport transport, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _queries);
        var outcome = DnsQuery.TryRead(query.Span, out var parsed);
        if (outcome != DnsReadOutcome.Ok)
        {
            Interlocked.Increment(ref _malformed);
            return Reject(query.Span, outcome);
        }

        if (_cache.TryGet(query.Span, parsed, out var cached))
        {
            Interlocked.Increment(ref _cacheHits);
            _names.Learn(cached, parsed.Name);
            return Fit(cached, query.Span, parsed, transport);
        }

        if (_upstream() is not { Servers.Count: > 0 } upstream)
        {
            DnsLog.NoEgress(_logger, parsed.Name);
            return ServerFailure(query.Span, parsed);
        }

        // The same question already on its way upstream: wait for that answer to land in the cache instead of
        // asking again (a burst of clients after a cache expiry makes one upstream exchange, not N).
        Task? leader;
        TaskCompletionSource? mine = null;
        lock (_pendingLock)
        {
            if (!_pending.TryGetValue(parsed.CacheKey, out leader))
            {
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending[parsed.CacheKey] = mine.Task;
            }
        }

        if (leader is not null)
        {
            await leader.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_cache.TryGet(query.Span, parsed, out var shared))
            {
                Interlocked.Increment(ref _cacheHits);
                _names.Learn(shared, parsed.Name);
                return Fit(shared, query.Span, parsed, transport);
            }
        }

        try
        {
            var reply = await ExchangeAsync(upstream, query, parsed, transport, cancellationToken).ConfigureAwait(false);
            if (reply is null)
            {
                DnsLog.NoUpstreamAnswered(_logger, parsed.Name, upstream.Dialer.Name);
                return ServerFailure(query.Span, parsed);
            }

            DnsHeader.WriteId(reply, parsed.Id);
            _cache.Store(parsed.CacheKey, reply);
            _names.Learn(reply, parsed.Name);
            return Fit(reply, query.Span, parsed, transport);
        }
        finally
        {
            if (mine is not null)
            {
                lock (_pendingLock)
                {
                    _pending.Remove(parsed.CacheKey);
                }

                mine.SetResult();
            }
        }
    }

    private static byte[]? Reject(ReadOnlySpan<byte> query, DnsReadOutcome outcome)
    {
        if (!DnsHeader.TryRead(query, out var header) || header.IsResponse)
        {
            return null; // not a query: answering a response could start a loop
        }

        var code = outcome == DnsReadOutcome.Unsupported && header.Opcode != 0 ? DnsResponseCode.NotImplemented : DnsResponseCode.FormatError;
        var reply = new byte[DnsWire.HeaderLength];
        DnsMessageWriter.WriteErrorReply(query, DnsWire.HeaderLength, code, reply);
        return reply;
    }

    private byte[] ServerFailure(ReadOnlySpan<byte> query, in DnsQuery parsed)
    {
        Interlocked.Increment(ref _serverFailures);
        var reply = new byte[parsed.QuestionEnd];
        DnsMessageWriter.WriteErrorReply(query, parsed.QuestionEnd, DnsResponseCode.ServerFailure, reply);
        return reply;
    }

    /// <summary>A UDP reply larger than the client accepts becomes an empty one with TC set: the client retries over TCP.</summary>
    private static byte[] Fit(byte[] reply, ReadOnlySpan<byte> query, in DnsQuery parsed, DnsTransport transport)
    {
        if (transport == DnsTransport.Tcp || reply.Length <= parsed.MaxUdpPayload)
        {
            return reply;
        }

        var truncated = new byte[parsed.QuestionEnd];
        DnsMessageWriter.WriteTruncatedReply(query, parsed.QuestionEnd, truncated);
        return truncated;
    }
}
