namespace Galaxy.Netlink.NfTables;

/// <summary>
/// nf_tables constants (linux/netfilter/nf_tables.h, nfnetlink.h), measured on the target kernel; see
/// shared/netlink/README.md §1.3.
/// </summary>
internal static class NfTablesProtocol
{
    public const int Subsystem = 10;              // NFNL_SUBSYS_NFTABLES
    public const ushort BatchBegin = 0x10;        // NFNL_MSG_BATCH_BEGIN
    public const ushort BatchEnd = 0x11;          // NFNL_MSG_BATCH_END
    public const ushort BatchGenerationId = 1;    // NFNL_BATCH_GENID
    public const int GenMessageLength = 4;        // struct nfgenmsg

    // NFT_MSG_*
    public const byte NewTable = 0;
    public const byte GetTable = 1;
    public const byte DelTable = 2;
    public const byte NewChain = 3;
    public const byte GetChain = 4;
    public const byte DelChain = 5;
    public const byte NewRule = 6;
    public const byte GetRule = 7;
    public const byte DelRule = 8;
    public const byte NewSet = 9;
    public const byte GetSet = 10;
    public const byte DelSet = 11;
    public const byte NewSetElem = 12;
    public const byte GetSetElem = 13;
    public const byte DelSetElem = 14;
    public const byte NewGen = 15;
    public const byte GetGen = 16;
    public const byte DestroyTable = 26;

    // NFTA_TABLE_*
    public const ushort TableName = 1;
    public const ushort TableFlags = 2;
    public const ushort TableUse = 3;
    public const ushort TableHandle = 4;

    // NFTA_CHAIN_*
    public const ushort ChainTable = 1;
    public const ushort ChainHandle = 2;
    public const ushort ChainName = 3;
    public const ushort ChainHook = 4;
    public const ushort ChainPolicy = 5;
    public const ushort ChainType = 7;
    public const ushort HookNumber = 1;
    public const ushort HookPriority = 2;

    // NFTA_RULE_*
    public const ushort RuleTable = 1;
    public const ushort RuleChain = 2;
    public const ushort RuleHandle = 3;
    public const ushort RuleExpressions = 4;
    public const ushort RuleUserData = 7;
    public const ushort ListElement = 1;          // NFTA_LIST_ELEM
    public const ushort ExpressionName = 1;       // NFTA_EXPR_NAME
    public const ushort ExpressionData = 2;       // NFTA_EXPR_DATA

    // NFTA_SET_*
    public const ushort SetTable = 1;
    public const ushort SetName = 2;
    public const ushort SetFlags = 3;
    public const ushort SetKeyType = 4;
    public const ushort SetKeyLength = 5;
    public const ushort SetDescription = 9;
    public const ushort SetDescriptionSize = 1;
    public const ushort SetId = 10;
    public const ushort SetUserData = 13;
    public const uint SetFlagAnonymous = 1;
    public const uint SetFlagConstant = 2;
    public const uint SetFlagInterval = 4;

    // NFTA_SET_ELEM_LIST_* and NFTA_SET_ELEM_*
    public const ushort ElementListTable = 1;
    public const ushort ElementListSet = 2;
    public const ushort ElementListElements = 3;
    public const ushort ElementListSetId = 4;
    public const ushort ElementKey = 1;
    public const ushort ElementFlags = 3;
    public const uint ElementFlagIntervalEnd = 1;

    // NFTA_DATA_* and NFTA_VERDICT_*
    public const ushort DataValue = 1;
    public const ushort DataVerdict = 2;
    public const ushort VerdictCode = 1;
    public const ushort VerdictChain = 2;

    // NFTA_GEN_*
    public const ushort GenerationId = 1;

    public static ushort MessageType(byte message) => (ushort)((Subsystem << 8) | message);
}
