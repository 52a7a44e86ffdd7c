using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Dns;

/// <summary>How a bootstrap lookup ended.</summary>
internal enum BootstrapOutcome
{
    Resolved,
    NoSuchName,
    NoAddress,
    Failed,
    InvalidName,
}

/// <summary>The addresses a bootstrap lookup found, or why none; <see cref="Detail"/> says what each server did.</summary>
internal sealed record BootstrapResult(BootstrapOutcome Outcome, IReadOnlyList<IPAddress> Addresses, string Detail);

/// <summary>
/// Resolves a VPN server's hostname at connect time, on the WAN, before any tunnel exists: a plain UDP query
/// (TCP when the reply is truncated) from a socket carrying <c>mark</c>, which is the only traffic the
/// firewall lets out to the configured resolvers. Never the system resolver (getaddrinfo would use
/// /etc/resolv.conf, which points at the agent itself, and its packets would carry no mark).
/// </summary>
internal sealed class BootstrapResolver
{
    private readonly TimeSpan _timeout;
    private readonly SocketFactory _sockets;

    public BootstrapResolver(TimeSpan? timeout = null, SocketFactory? sockets = null)
    {
        _timeout = timeout ?? TimeSpan.FromSeconds(3);
        _sockets = sockets ?? SocketFactories.Default;
    }

    /// <summary>
    /// The <paramref name="family"/> addresses (A for InterNetwork, AAAA for InterNetworkV6) of
    /// <paramref name="host"/>, asking <paramref name="servers"/> in order until one answers. An IP literal is
    /// returned as it is.
    /// </summary>
    public async Task<BootstrapResult> ResolveAsync(
        string host, AddressFamily family, IReadOnlyList<IPEndPoint> servers, uint mark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(servers);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "bootstrap lookups are for IPv4 or IPv6 addresses");
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            return literal.AddressFamily == family
                ? new BootstrapResult(BootstrapOutcome.Resolved, [literal], "an address literal")
                : new BootstrapResult(BootstrapOutcome.NoAddress, [], $"{host} is an address of the other family");
        }

        var type = family == AddressFamily.InterNetwork ? DnsWire.TypeA : DnsWire.TypeAaaa;
        var query = new byte[DnsWire.HeaderLength + DnsWire.MaxNameLength + 4];
        var length = DnsMessageWriter.WriteQuery((ushort)RandomNumberGenerator.GetInt32(0, 65536), host, type, query);
        if (length == 0)
        {
            return new BootstrapResult(BootstrapOutcome.InvalidName, [], $"\"{host}\" is not a valid DNS name");
        }

        query = query[..length];
        var failures = new List<string>();
        foreach (var server in servers)
        {
            var (reply, failure) = await ExchangeUdpAsync(server, query, mark, cancellationToken).ConfigureAwait(false);
            if (reply is not null && (reply[2] & (DnsWire.FlagTruncated >> 8)) != 0)
            {
                (reply, failure) = await ExchangeTcpAsync(server, query, mark, cancellationToken).ConfigureAwait(false);
            }

            if (reply is null)
            {
                failures.Add($"{server}: {failure}");
                continue;
            }

            var code = (DnsResponseCode)(reply[3] & DnsWire.ResponseCodeMask);
            if (code == DnsResponseCode.NameError)
            {
                return new BootstrapResult(BootstrapOutcome.NoSuchName, [], $"{server}: {host} does not exist (NXDOMAIN)");
            }

            if (code != DnsResponseCode.NoError)
            {
                failures.Add($"{server}: answered {code}");
                continue;
            }

            var addresses = ReadAddresses(reply, type);
            return addresses.Count > 0
                ? new BootstrapResult(BootstrapOutcome.Resolved, addresses, $"{server}")
                : new BootstrapResult(BootstrapOutcome.NoAddress, [], $"{server}: {host} has no {(type == DnsWire.TypeA ? "A" : "AAAA")} record");
        }

        return new BootstrapResult(BootstrapOutcome.Failed, [], servers.Count == 0 ? "no resolver configured" : string.Join("; ", failures));
    }

    /// <summary>Every record of the wanted type in the answer section (a CNAME chain's end included).</summary>
    internal static IReadOnlyList<IPAddress> ReadAddresses(ReadOnlySpan<byte> reply, ushort type)
    {
        var addresses = new List<IPAddress>();
        if (!DnsHeader.TryRead(reply, out var header) || header.QuestionCount != 1)
        {
            return addresses;
        }

        var offset = DnsWire.HeaderLength;
        if (DnsName.TrySkip(reply, ref offset) != DnsReadOutcome.Ok)
        {
            return addresses;
        }

        var reader = new DnsRecordReader(reply, header, offset + 4);
        while (reader.TryReadNext(out var record) && record.Section == DnsSection.Answer)
        {
            if (record.Type == type && record.Data.Length == (type == DnsWire.TypeA ? 4 : 16))
            {
                addresses.Add(new IPAddress(record.Data));
            }
        }

        return addresses;
    }

    private async Task<(byte[]? Reply, string Failure)> ExchangeUdpAsync(IPEndPoint server, byte[] query, uint mark, CancellationToken cancellationToken)
    {
        using var socket = _sockets(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        var buffer = new byte[DnsWire.MaxMessageLength];
        try
        {
            SocketOptions.SetMark(socket, mark);
            await socket.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(query, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                var reply = buffer.AsSpan(0, received);
                if (received >= DnsWire.HeaderLength && BinaryPrimitives.ReadUInt16BigEndian(reply) == BinaryPrimitives.ReadUInt16BigEndian(query)
                    && DnsResponse.QuestionMatches(query, reply))
                {
                    return (reply.ToArray(), string.Empty);
                }
            }
        }
        catch (SocketException e)
        {
            return (null, $"udp {e.SocketErrorCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no reply within {_timeout.TotalSeconds:0.#} s");
        }
    }

    private async Task<(byte[]? Reply, string Failure)> ExchangeTcpAsync(IPEndPoint server, byte[] query, uint mark, CancellationToken cancellationToken)
    {
        using var socket = _sockets(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            SocketOptions.SetMark(socket, mark);
            await socket.ConnectAsync(server, deadline.Token).ConfigureAwait(false);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var prefix = new byte[2];
            await ReceiveExactlyAsync(socket, prefix, deadline.Token).ConfigureAwait(false);
            var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await ReceiveExactlyAsync(socket, reply, deadline.Token).ConfigureAwait(false);
            return BinaryPrimitives.ReadUInt16BigEndian(reply) == BinaryPrimitives.ReadUInt16BigEndian(query) && DnsResponse.QuestionMatches(query, reply)
                ? (reply, string.Empty)
                : (null, "tcp reply to another query");
        }
        catch (SocketException e)
        {
            return (null, $"tcp {e.SocketErrorCode}");
        }
        catch (EndOfStreamException)
        {
            return (null, "tcp closed before a whole reply");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no tcp reply within {_timeout.TotalSeconds:0.#} s");
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await socket.ReceiveAsync(destination[filled..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            filled += read;
        }
    }
}
