using System.Buffers.Binary;

namespace Galaxy.Netlink.Core;

/// <summary>
/// A decoded NLMSG_ERROR: the errno (0 for an ACK), the sequence of the request it answers, and the
/// kernel's extended-ack message and attribute offset when it sent them.
/// </summary>
/// <remarks>
/// <code>
/// struct nlmsgerr { int error; struct nlmsghdr msg; }  then, with NLM_F_ACK_TLVS, attributes:
///   NLMSGERR_ATTR_MSG 1 (string), NLMSGERR_ATTR_OFFS 2 (u32 byte offset into the request)
/// With NLM_F_CAPPED only the request's header is echoed; otherwise its whole payload follows.
/// </code>
/// </remarks>
internal readonly record struct NetlinkError(int Errno, uint RequestSequence, ushort RequestType, string? Message, int? Offset)
{
    public bool IsAck => Errno == 0;

    public static bool TryParse(NetlinkMessage message, out NetlinkError error)
    {
        error = default;
        var payload = message.Payload;
        if (message.Type != NetlinkProtocol.Error || payload.Length < 4 + NetlinkProtocol.HeaderLength)
        {
            return false;
        }

        var errno = -BinaryPrimitives.ReadInt32LittleEndian(payload);
        var original = payload[4..];
        var originalLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(original);
        var originalType = BinaryPrimitives.ReadUInt16LittleEndian(original[4..]);
        var originalSequence = BinaryPrimitives.ReadUInt32LittleEndian(original[8..]);

        string? text = null;
        int? offset = null;
        if ((message.Flags & NetlinkProtocol.FlagAckTlvs) != 0)
        {
            var echoed = (message.Flags & NetlinkProtocol.FlagCapped) != 0 ? NetlinkProtocol.HeaderLength : originalLength;
            var tlvStart = 4 + NetlinkProtocol.Align(echoed);
            if (tlvStart <= payload.Length)
            {
                foreach (var attribute in new AttributeEnumerator(payload[tlvStart..]))
                {
                    if (attribute.Type == NetlinkProtocol.ErrorAttributeMessage)
                    {
                        text = attribute.AsString();
                    }
                    else if (attribute.Type == NetlinkProtocol.ErrorAttributeOffset)
                    {
                        offset = (int)attribute.U32;
                    }
                }
            }
        }

        error = new NetlinkError(errno, originalSequence, originalType, string.IsNullOrEmpty(text) ? null : text, offset);
        return true;
    }
}
