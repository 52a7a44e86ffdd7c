using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

public sealed partial class NfBatch
{
    /// <summary>
    /// Encodes the whole batch into <paramref name="writer"/>: BEGIN (seq <paramref name="firstSequence"/>,
    /// optional NFNL_BATCH_GENID), the messages with consecutive sequences (NLM_F_ACK on the last one only
    /// when <paramref name="acknowledgeLast"/>), END. Pure: no socket.
    /// </summary>
    internal NfBatchLayout Encode(NetlinkWriter writer, uint firstSequence, uint? generation = null, bool acknowledgeLast = true)
    {
        if (_messages.Count == 0)
        {
            throw new InvalidOperationException("the batch is empty");
        }

        NfMessages.BatchBegin(writer, firstSequence, generation);
        var encoded = new List<NfEncodedMessage>(_messages.Count);
        var sequence = firstSequence;
        for (var i = 0; i < _messages.Count; i++)
        {
            sequence++;
            var message = _messages[i];
            var offset = writer.Length;
            var extra = acknowledgeLast && i == _messages.Count - 1 ? NetlinkProtocol.FlagAck : (ushort)0;
            var layout = message.Encode(writer, sequence, extra);
            encoded.Add(new NfEncodedMessage(sequence, offset, message.Description, message.Command, layout));
        }

        sequence++;
        NfMessages.BatchEnd(writer, sequence);
        return new NfBatchLayout(firstSequence, sequence, encoded);
    }
}
