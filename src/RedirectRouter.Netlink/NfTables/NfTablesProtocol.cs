using System.Runtime.InteropServices;

namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// The numbers of the nf_tables netlink protocol (uapi <c>linux/netfilter/nfnetlink.h</c> and
/// <c>linux/netfilter/nf_tables.h</c>). They are ABI and never change.
/// </summary>
internal static class NfTablesProtocol
{
    /// <summary><c>NETLINK_NETFILTER</c>.</summary>
    public const int NetlinkNetfilter = 12;

    /// <summary><c>NFNL_SUBSYS_NFTABLES</c>: the high byte of every nf_tables message type.</summary>
    public const byte SubsystemNfTables = 10;

    /// <summary><c>NFNL_MSG_BATCH_BEGIN</c> (<c>NLMSG_MIN_TYPE</c>).</summary>
    public const ushort BatchBegin = 0x10;

    /// <summary><c>NFNL_MSG_BATCH_END</c>.</summary>
    public const ushort BatchEnd = 0x11;

    /// <summary><c>NFNL_BATCH_GENID</c>: the generation the batch expects (be32); a different one aborts it with ERESTART.</summary>
    public const ushort BatchGenerationId = 1;

    /// <summary><c>ERESTART</c>: what the kernel answers when <see cref="BatchGenerationId"/> is stale.</summary>
    public const int ERESTART = 85;

    /// <summary><c>NLA_F_NESTED</c>, which nft sets on every nested attribute it sends.</summary>
    public const ushort Nested = 0x8000;

    // enum nf_tables_msg_types
    public const byte MsgNewTable = 0;
    public const byte MsgGetChain = 4;
    public const byte MsgNewChain = 3;
    public const byte MsgNewRule = 6;
    public const byte MsgGetRule = 7;
    public const byte MsgNewSetElem = 12;
    public const byte MsgGetSetElem = 13;
    public const byte MsgDelSetElem = 14;
    public const byte MsgNewGen = 15;
    public const byte MsgGetGen = 16;

    /// <summary>The netlink message type of nf_tables message <paramref name="message"/>.</summary>
    public static ushort Type(byte message) => (ushort)((SubsystemNfTables << 8) | message);

    /// <summary>The <c>NFT_MSG_*</c> name of a message type, for error text.</summary>
    public static string Name(ushort type) => type switch
    {
        BatchBegin => "NFNL_MSG_BATCH_BEGIN",
        BatchEnd => "NFNL_MSG_BATCH_END",
        _ when type >> 8 != SubsystemNfTables => $"nfnetlink message {type}",
        _ => (byte)type switch
        {
            MsgGetChain => "NFT_MSG_GETCHAIN",
            MsgGetRule => "NFT_MSG_GETRULE",
            MsgNewSetElem => "NFT_MSG_NEWSETELEM",
            MsgGetSetElem => "NFT_MSG_GETSETELEM",
            MsgDelSetElem => "NFT_MSG_DELSETELEM",
            MsgGetGen => "NFT_MSG_GETGEN",
            var other => $"NFT_MSG {other}",
        },
    };

    // enum nft_set_elem_list_attributes
    public const ushort SetElemListTable = 1;
    public const ushort SetElemListSet = 2;
    public const ushort SetElemListElements = 3;

    /// <summary><c>NFTA_LIST_ELEM</c>: one entry of a list attribute.</summary>
    public const ushort ListElem = 1;

    // enum nft_set_elem_attributes
    public const ushort SetElemKey = 1;
    public const ushort SetElemData = 2;
    public const ushort SetElemFlags = 3;
    public const ushort SetElemExpr = 7;
    public const ushort SetElemKeyEnd = 10;
    public const ushort SetElemExpressions = 11;

    // enum nft_set_elem_flags
    public const uint SetElemIntervalEnd = 0x1;
    public const uint SetElemCatchAll = 0x2;

    /// <summary><c>NFTA_DATA_VALUE</c>.</summary>
    public const ushort DataValue = 1;

    // enum nft_expr_attributes
    public const ushort ExprName = 1;
    public const ushort ExprData = 2;

    // enum nft_counter_attributes
    public const ushort CounterBytes = 1;
    public const ushort CounterPackets = 2;

    /// <summary><c>NFTA_LOOKUP_SET</c>.</summary>
    public const ushort LookupSet = 1;

    // enum nft_gen_attributes
    public const ushort GenId = 1;
    public const ushort GenProcessId = 2;
    public const ushort GenProcessName = 3;

    // enum nft_chain_attributes
    public const ushort ChainTable = 1;
    public const ushort ChainHandle = 2;
    public const ushort ChainName = 3;
    public const ushort ChainHook = 4;
    public const ushort ChainPolicy = 5;
    public const ushort ChainUse = 6;
    public const ushort ChainType = 7;
    public const ushort ChainCounters = 8;

    // enum nft_hook_attributes
    public const ushort HookNumber = 1;
    public const ushort HookPriority = 2;

    // enum nft_rule_attributes
    public const ushort RuleTable = 1;
    public const ushort RuleChain = 2;
    public const ushort RuleHandle = 3;
    public const ushort RuleExpressions = 4;
}

/// <summary><c>struct nfgenmsg</c>: the fixed header of every nfnetlink message.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NfGenMsg
{
    public byte Family;
    public byte Version;
    /// <summary><c>res_id</c>, big-endian: the subsystem in batch messages, the generation's low bits in replies.</summary>
    public ushort ResourceIdBigEndian;

    public const int Size = 4;
}
