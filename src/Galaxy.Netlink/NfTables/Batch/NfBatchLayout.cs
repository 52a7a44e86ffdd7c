namespace Galaxy.Netlink.NfTables;

/// <summary>What an encoded batch holds: the sequence of BEGIN, of each message, and of END.</summary>
internal sealed record NfBatchLayout(uint BeginSequence, uint EndSequence, IReadOnlyList<NfEncodedMessage> Messages)
{
    public uint LastMessageSequence => Messages.Count > 0 ? Messages[^1].Sequence : BeginSequence;

    public int IndexOf(uint sequence)
    {
        for (var i = 0; i < Messages.Count; i++)
        {
            if (Messages[i].Sequence == sequence)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>One encoded message: its sequence, offset in the datagram, description, command and expression layout.</summary>
internal sealed record NfEncodedMessage(uint Sequence, int Offset, string Description, string Command, NfExpressionLayout? Expressions);
