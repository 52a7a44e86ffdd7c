using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>Writes one batch message (header included) with the given sequence and extra flags; returns its expression layout.</summary>
internal delegate NfExpressionLayout? NfMessageEncoder(NetlinkWriter writer, uint sequence, ushort extraFlags);

/// <summary>One message of a batch: what it does in words, the nft command, and its encoder.</summary>
internal sealed record NfBatchMessage(string Description, string Command, NfMessageEncoder Encode);
