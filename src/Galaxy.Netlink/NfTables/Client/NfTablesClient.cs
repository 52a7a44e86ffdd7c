using Galaxy.Netlink.Core;
using Galaxy.Netlink.Core.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// An nf_tables client over one NETLINK_NETFILTER socket: commits batches atomically (one send()),
/// reads the generation id, and lists tables, chains, rules (with counters), sets and set elements.
/// Not thread-safe: one owner at a time.
/// </summary>
public sealed partial class NfTablesClient : IDisposable
{
    /// <summary>The send buffer we force (nft uses 2 MB or more; the default 208 KiB fails big batches with EMSGSIZE).</summary>
    public const int SendBufferBytes = 4 * 1024 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new(64 * 1024);
    private readonly ILogger _logger;

    private NfTablesClient(NetlinkSocket socket, ILogger? logger)
    {
        _socket = socket;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Opens a client in the calling thread's network namespace.</summary>
    public static NfTablesClient Open(ILogger? logger = null) =>
        new(NetlinkSocket.Open(NetlinkProtocol.Netfilter, receiveBufferBytes: 4 * 1024 * 1024, sendBufferBytes: SendBufferBytes), logger);

    /// <summary>Opens a client whose socket lives in the namespace at <paramref name="namespacePath"/>.</summary>
    public static NfTablesClient OpenIn(string namespacePath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        return NetworkNamespace.Run(namespacePath, () => Open(logger));
    }

    /// <summary>The ruleset generation id (GETGEN → NEWGEN GEN_ID); pass it to <see cref="Commit"/> to detect concurrent changes.</summary>
    public uint GetGeneration()
    {
        const string operation = "reading the nf_tables generation";
        var sequence = _socket.NextSequence();
        _writer.Reset();
        var start = NfMessages.Begin(_writer, NfTablesProtocol.MessageType(NfTablesProtocol.GetGen),
            NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck, sequence, NfFamily.Unspecified);
        _writer.EndMessage(start);
        uint? generation = null;
        var error = _socket.Transact(_writer.Written, sequence, sequence, operation, message =>
        {
            if (message.Type == NfTablesProtocol.MessageType(NfTablesProtocol.NewGen) &&
                message.Attributes(NfTablesProtocol.GenMessageLength).TryFind(NfTablesProtocol.GenerationId, out var id))
            {
                generation = id.U32BigEndian;
            }
        });
        if (error is { } e)
        {
            throw new NetlinkException(operation, e.Errno, e.Message, e.Offset);
        }

        return generation ?? throw new NetlinkException(operation, Errno.EINVAL, "the kernel sent no NEWGEN");
    }

    /// <summary>
    /// Commits the batch as one transaction in a single send(). With <paramref name="expectedGeneration"/> the
    /// kernel refuses it (ERESTART) if the ruleset changed since. On failure nothing was applied; the
    /// exception names the lowest failing message, its description and, for a rule, the expression.
    /// </summary>
    public void Commit(NfBatch batch, uint? expectedGeneration = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var first = _socket.NextSequence();
        for (var i = 0; i <= batch.Count; i++)
        {
            _socket.NextSequence(); // reserve one sequence per message and END
        }

        _writer.Reset();
        var layout = batch.Encode(_writer, first, expectedGeneration);
        var operation = $"committing nf_tables batch of {batch.Count} messages";
        var error = _socket.Transact(_writer.Written, layout.BeginSequence, layout.LastMessageSequence, operation, timeout: TimeSpan.FromSeconds(30));
        if (error is null)
        {
            foreach (var message in layout.Messages)
            {
                if (!message.Command.StartsWith('#'))
                {
                    NetlinkLog.KernelChange(_logger, message.Command); // anonymous sets show inside their rule's command
                }
            }

            return;
        }

        throw Failure(operation, layout, error.Value, expectedGeneration);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _writer.Dispose();
    }

    private NetlinkException Failure(string operation, NfBatchLayout layout, NetlinkError error, uint? expectedGeneration)
    {
        if (error.RequestSequence == layout.BeginSequence)
        {
            var what = error.Errno == Errno.ERESTART && expectedGeneration is { } g
                ? $"batch begin: the ruleset is no longer at generation {g}"
                : "batch begin";
            NetlinkLog.KernelChangeRefused(_logger, "nft batch", what);
            return new NetlinkException(operation, error.Errno, error.Message, error.Offset, messageIndex: null, messageDescription: what);
        }

        var index = layout.IndexOf(error.RequestSequence);
        if (index < 0)
        {
            return new NetlinkException(operation, error.Errno, error.Message, error.Offset);
        }

        var message = layout.Messages[index];
        var description = message.Description;
        int? expressionIndex = null;
        string? expressionName = null;
        if (message.Expressions is { } expressions)
        {
            var found = error.Offset is { } offset ? expressions.IndexOf(offset) : -1;
            if (found < 0 && error.Offset is null && error.Errno == Errno.EOPNOTSUPP && expressions.HookSuspect >= 0)
            {
                // The kernel refuses a wrong-hook expression without an offset: name the one the hook rules out.
                found = expressions.HookSuspect;
                description += " [the kernel gave no offset; expression inferred from the chain's hook]";
            }

            if (found >= 0)
            {
                expressionIndex = found;
                expressionName = expressions[found].Name;
            }
        }

        var reason = Errno.Name(error.Errno);
        NetlinkLog.KernelChangeRefused(_logger, message.Command, reason);
        return new NetlinkException(operation, error.Errno, error.Message, error.Offset, index, description, expressionIndex, expressionName);
    }
}
