namespace RedirectRouter.Netlink.Interop;

// Values mirror the Linux uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h,
// linux/if_addr.h, linux/fib_rules.h, linux/neighbour.h). They are part of the kernel ABI and never change.

/// <summary>Netlink protocol families used here (<c>NETLINK_*</c>).</summary>
internal static class NetlinkProtocol
{
    /// <summary><c>NETLINK_ROUTE</c>: routing and link configuration.</summary>
    public const int Route = 0;
}

/// <summary>Control message types (<c>NLMSG_*</c>).</summary>
internal static class NetlinkMessageType
{
    /// <summary><c>NLMSG_NOOP</c>.</summary>
    public const ushort Noop = 1;
    /// <summary><c>NLMSG_ERROR</c>: an error or, with error 0, an acknowledgement.</summary>
    public const ushort Error = 2;
    /// <summary><c>NLMSG_DONE</c>: the end of a multipart dump.</summary>
    public const ushort Done = 3;
    /// <summary><c>NLMSG_OVERRUN</c>.</summary>
    public const ushort Overrun = 4;
}

/// <summary>Header flags (<c>NLM_F_*</c>).</summary>
[Flags]
internal enum NetlinkFlags : ushort
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>NLM_F_REQUEST</c>.</summary>
    Request = 0x1,
    /// <summary><c>NLM_F_MULTI</c>: part of a multipart reply.</summary>
    Multi = 0x2,
    /// <summary><c>NLM_F_ACK</c>: ask for an acknowledgement.</summary>
    Ack = 0x4,
    /// <summary><c>NLM_F_ECHO</c>.</summary>
    Echo = 0x8,
    /// <summary><c>NLM_F_DUMP_INTR</c>: the dump was inconsistent because the table changed during it.</summary>
    DumpInterrupted = 0x10,
    /// <summary><c>NLM_F_DUMP_FILTERED</c>: the kernel applied the requested filter.</summary>
    DumpFiltered = 0x20,
    /// <summary><c>NLM_F_ROOT</c>.</summary>
    Root = 0x100,
    /// <summary><c>NLM_F_MATCH</c>.</summary>
    Match = 0x200,
    /// <summary><c>NLM_F_DUMP</c> (<c>ROOT | MATCH</c>).</summary>
    Dump = Root | Match,
    /// <summary><c>NLM_F_REPLACE</c> (new requests).</summary>
    Replace = 0x100,
    /// <summary><c>NLM_F_EXCL</c> (new requests).</summary>
    Exclusive = 0x200,
    /// <summary><c>NLM_F_CREATE</c> (new requests).</summary>
    Create = 0x400,
    /// <summary><c>NLM_F_APPEND</c> (new requests).</summary>
    Append = 0x800,
    /// <summary><c>NLM_F_CAPPED</c> (acknowledgements): the original payload was left out.</summary>
    Capped = 0x100,
    /// <summary><c>NLM_F_ACK_TLVS</c> (acknowledgements): extended-ack attributes follow.</summary>
    AckTlvs = 0x200,
}

/// <summary>rtnetlink message types (<c>RTM_*</c>).</summary>
internal static class RtmType
{
    /// <summary><c>RTM_NEWLINK</c>.</summary>
    public const ushort NewLink = 16;
    /// <summary><c>RTM_DELLINK</c>.</summary>
    public const ushort DelLink = 17;
    /// <summary><c>RTM_GETLINK</c>.</summary>
    public const ushort GetLink = 18;
    /// <summary><c>RTM_SETLINK</c>.</summary>
    public const ushort SetLink = 19;
    /// <summary><c>RTM_NEWADDR</c>.</summary>
    public const ushort NewAddr = 20;
    /// <summary><c>RTM_DELADDR</c>.</summary>
    public const ushort DelAddr = 21;
    /// <summary><c>RTM_GETADDR</c>.</summary>
    public const ushort GetAddr = 22;
    /// <summary><c>RTM_NEWROUTE</c>.</summary>
    public const ushort NewRoute = 24;
    /// <summary><c>RTM_DELROUTE</c>.</summary>
    public const ushort DelRoute = 25;
    /// <summary><c>RTM_GETROUTE</c>.</summary>
    public const ushort GetRoute = 26;
    /// <summary><c>RTM_NEWNEIGH</c>.</summary>
    public const ushort NewNeigh = 28;
    /// <summary><c>RTM_DELNEIGH</c>.</summary>
    public const ushort DelNeigh = 29;
    /// <summary><c>RTM_GETNEIGH</c>.</summary>
    public const ushort GetNeigh = 30;
    /// <summary><c>RTM_NEWRULE</c>.</summary>
    public const ushort NewRule = 32;
    /// <summary><c>RTM_DELRULE</c>.</summary>
    public const ushort DelRule = 33;
    /// <summary><c>RTM_GETRULE</c>.</summary>
    public const ushort GetRule = 34;
    /// <summary><c>RTM_NEWNSID</c>.</summary>
    public const ushort NewNsId = 88;
    /// <summary><c>RTM_GETNSID</c>.</summary>
    public const ushort GetNsId = 90;

    /// <summary>The uapi name of a message type, for error messages.</summary>
    public static string Name(ushort type) => type switch
    {
        NewLink => "RTM_NEWLINK", DelLink => "RTM_DELLINK", GetLink => "RTM_GETLINK", SetLink => "RTM_SETLINK",
        NewAddr => "RTM_NEWADDR", DelAddr => "RTM_DELADDR", GetAddr => "RTM_GETADDR",
        NewRoute => "RTM_NEWROUTE", DelRoute => "RTM_DELROUTE", GetRoute => "RTM_GETROUTE",
        NewNeigh => "RTM_NEWNEIGH", DelNeigh => "RTM_DELNEIGH", GetNeigh => "RTM_GETNEIGH",
        NewRule => "RTM_NEWRULE", DelRule => "RTM_DELRULE", GetRule => "RTM_GETRULE",
        NewNsId => "RTM_NEWNSID", GetNsId => "RTM_GETNSID",
        _ => $"type {type}",
    };
}

/// <summary>Netlink socket options at level <c>SOL_NETLINK</c>.</summary>
internal static class NetlinkSocketOption
{
    /// <summary><c>NETLINK_ADD_MEMBERSHIP</c>.</summary>
    public const int AddMembership = 1;
    /// <summary><c>NETLINK_CAP_ACK</c>: acknowledgements leave out the request payload.</summary>
    public const int CapAck = 10;
    /// <summary><c>NETLINK_EXT_ACK</c>: errors carry a text and the offending attribute offset.</summary>
    public const int ExtendedAck = 11;
    /// <summary><c>NETLINK_GET_STRICT_CHK</c>: dump requests are checked strictly and filters are honoured.</summary>
    public const int GetStrictCheck = 12;
    /// <summary><c>SOL_NETLINK</c>.</summary>
    public const int SolNetlink = 270;
}

/// <summary>Extended-ack attribute types (<c>NLMSGERR_ATTR_*</c>).</summary>
internal static class NetlinkErrorAttribute
{
    /// <summary><c>NLMSGERR_ATTR_MSG</c>: the error text.</summary>
    public const ushort Message = 1;
    /// <summary><c>NLMSGERR_ATTR_OFFS</c>: the byte offset of the offending attribute in the request.</summary>
    public const ushort Offset = 2;
}

/// <summary>rtnetlink multicast groups (<c>RTNLGRP_*</c>).</summary>
public enum RtnlGroup : uint
{
    /// <summary><c>RTNLGRP_LINK</c>.</summary>
    Link = 1,
    /// <summary><c>RTNLGRP_NEIGH</c>.</summary>
    Neighbor = 3,
    /// <summary><c>RTNLGRP_IPV4_IFADDR</c>.</summary>
    IPv4Address = 5,
    /// <summary><c>RTNLGRP_IPV4_ROUTE</c>.</summary>
    IPv4Route = 7,
    /// <summary><c>RTNLGRP_IPV4_RULE</c>.</summary>
    IPv4Rule = 8,
    /// <summary><c>RTNLGRP_IPV6_IFADDR</c>.</summary>
    IPv6Address = 9,
    /// <summary><c>RTNLGRP_IPV6_ROUTE</c>.</summary>
    IPv6Route = 11,
    /// <summary><c>RTNLGRP_IPV6_RULE</c>.</summary>
    IPv6Rule = 19,
}

/// <summary>Attribute flag bits and alignment (<c>NLA_*</c>).</summary>
internal static class NetlinkAttributeFlags
{
    /// <summary><c>NLA_F_NESTED</c>.</summary>
    public const ushort Nested = 0x8000;
    /// <summary><c>NLA_F_NET_BYTEORDER</c>.</summary>
    public const ushort NetByteOrder = 0x4000;
    /// <summary><c>NLA_TYPE_MASK</c>.</summary>
    public const ushort TypeMask = 0x3fff;
}

/// <summary>Address families (<c>AF_*</c>) as they appear in rtnetlink headers.</summary>
internal static class AddressFamily
{
    /// <summary><c>AF_UNSPEC</c>.</summary>
    public const byte Unspecified = 0;
    /// <summary><c>AF_INET</c>.</summary>
    public const byte Inet = 2;
    /// <summary><c>AF_INET6</c>.</summary>
    public const byte Inet6 = 10;
    /// <summary><c>AF_NETLINK</c>.</summary>
    public const ushort Netlink = 16;
}

/// <summary>Link attributes (<c>IFLA_*</c>).</summary>
internal static class IflaAttribute
{
    /// <summary><c>IFLA_ADDRESS</c>.</summary>
    public const ushort Address = 1;
    /// <summary><c>IFLA_BROADCAST</c>.</summary>
    public const ushort Broadcast = 2;
    /// <summary><c>IFLA_IFNAME</c>.</summary>
    public const ushort IfName = 3;
    /// <summary><c>IFLA_MTU</c>.</summary>
    public const ushort Mtu = 4;
    /// <summary><c>IFLA_LINK</c>: the parent's index.</summary>
    public const ushort Link = 5;
    /// <summary><c>IFLA_STATS</c>.</summary>
    public const ushort Stats = 7;
    /// <summary><c>IFLA_MASTER</c>.</summary>
    public const ushort Master = 10;
    /// <summary><c>IFLA_OPERSTATE</c>.</summary>
    public const ushort OperState = 16;
    /// <summary><c>IFLA_IFALIAS</c>: a free-text alias, used to mark links we created.</summary>
    public const ushort IfAlias = 20;
    /// <summary><c>IFLA_LINKINFO</c>.</summary>
    public const ushort LinkInfo = 18;
    /// <summary><c>IFLA_NET_NS_PID</c>.</summary>
    public const ushort NetNsPid = 19;
    /// <summary><c>IFLA_STATS64</c>.</summary>
    public const ushort Stats64 = 23;
    /// <summary><c>IFLA_NET_NS_FD</c>.</summary>
    public const ushort NetNsFd = 28;
    /// <summary><c>IFLA_EXT_MASK</c>.</summary>
    public const ushort ExtMask = 29;
    /// <summary><c>IFLA_CARRIER</c>.</summary>
    public const ushort Carrier = 33;
    /// <summary><c>IFLA_LINK_NETNSID</c>: the parent (or veth peer) lives in another namespace, which has this id (s32) in the link's.</summary>
    public const ushort LinkNetNsId = 37;
    /// <summary><c>IFLA_INFO_KIND</c> (inside <c>IFLA_LINKINFO</c>).</summary>
    public const ushort InfoKind = 1;
    /// <summary><c>IFLA_INFO_DATA</c> (inside <c>IFLA_LINKINFO</c>).</summary>
    public const ushort InfoData = 2;
    /// <summary><c>IFLA_MACVLAN_MODE</c> (inside macvlan <c>IFLA_INFO_DATA</c>).</summary>
    public const ushort MacvlanMode = 1;
    /// <summary><c>VETH_INFO_PEER</c> (inside veth <c>IFLA_INFO_DATA</c>).</summary>
    public const ushort VethInfoPeer = 1;
    /// <summary><c>RTEXT_FILTER_VF</c>-free mask value: ask for no VF data in dumps.</summary>
    public const uint ExtFilterSkipStats = 1 << 3;
}

/// <summary>Address attributes (<c>IFA_*</c>).</summary>
internal static class IfaAttribute
{
    /// <summary><c>IFA_ADDRESS</c>: the prefix address (the peer on point-to-point links).</summary>
    public const ushort Address = 1;
    /// <summary><c>IFA_LOCAL</c>: the local address.</summary>
    public const ushort Local = 2;
    /// <summary><c>IFA_LABEL</c>.</summary>
    public const ushort Label = 3;
    /// <summary><c>IFA_BROADCAST</c>.</summary>
    public const ushort Broadcast = 4;
    /// <summary><c>IFA_CACHEINFO</c>.</summary>
    public const ushort CacheInfo = 6;
    /// <summary><c>IFA_FLAGS</c>: 32-bit flags.</summary>
    public const ushort Flags = 8;
}

/// <summary>Route attributes (<c>RTA_*</c>).</summary>
internal static class RtaAttribute
{
    /// <summary><c>RTA_DST</c>.</summary>
    public const ushort Destination = 1;
    /// <summary><c>RTA_SRC</c>.</summary>
    public const ushort Source = 2;
    /// <summary><c>RTA_IIF</c>.</summary>
    public const ushort InputInterface = 3;
    /// <summary><c>RTA_OIF</c>.</summary>
    public const ushort OutputInterface = 4;
    /// <summary><c>RTA_GATEWAY</c>.</summary>
    public const ushort Gateway = 5;
    /// <summary><c>RTA_PRIORITY</c>: the metric.</summary>
    public const ushort Priority = 6;
    /// <summary><c>RTA_PREFSRC</c>.</summary>
    public const ushort PreferredSource = 7;
    /// <summary><c>RTA_METRICS</c>.</summary>
    public const ushort Metrics = 8;
    /// <summary><c>RTA_MULTIPATH</c>.</summary>
    public const ushort Multipath = 9;
    /// <summary><c>RTA_TABLE</c>: a 32-bit table id.</summary>
    public const ushort Table = 15;
    /// <summary><c>RTA_PREF</c>: IPv6 router preference.</summary>
    public const ushort Preference = 20;
}

/// <summary>Policy rule attributes (<c>FRA_*</c>).</summary>
internal static class FraAttribute
{
    /// <summary><c>FRA_DST</c>.</summary>
    public const ushort Destination = 1;
    /// <summary><c>FRA_SRC</c>.</summary>
    public const ushort Source = 2;
    /// <summary><c>FRA_IIFNAME</c>.</summary>
    public const ushort InputInterfaceName = 3;
    /// <summary><c>FRA_PRIORITY</c>.</summary>
    public const ushort Priority = 6;
    /// <summary><c>FRA_FWMARK</c>.</summary>
    public const ushort FwMark = 10;
    /// <summary><c>FRA_TABLE</c>.</summary>
    public const ushort Table = 15;
    /// <summary><c>FRA_FWMASK</c>.</summary>
    public const ushort FwMask = 16;
    /// <summary><c>FRA_OIFNAME</c>.</summary>
    public const ushort OutputInterfaceName = 17;
    /// <summary><c>FRA_PROTOCOL</c> (kernel 4.17+): who installed the rule, as <c>RTPROT_*</c> for routes.</summary>
    public const ushort Protocol = 21;
}

/// <summary>Namespace id attributes (<c>NETNSA_*</c>, of <c>RTM_GETNSID</c> and <c>RTM_NEWNSID</c>).</summary>
internal static class NetnsaAttribute
{
    /// <summary><c>NETNSA_NSID</c>: the id (s32).</summary>
    public const ushort NsId = 1;
    /// <summary><c>NETNSA_FD</c>: a descriptor of the namespace asked about (u32).</summary>
    public const ushort Fd = 3;
    /// <summary><c>NETNSA_NSID_NOT_ASSIGNED</c>: the namespace has no id in the asking one.</summary>
    public const int NotAssigned = -1;
}

/// <summary>Neighbour attributes (<c>NDA_*</c>).</summary>
internal static class NdaAttribute
{
    /// <summary><c>NDA_DST</c>.</summary>
    public const ushort Destination = 1;
    /// <summary><c>NDA_LLADDR</c>.</summary>
    public const ushort LinkLayerAddress = 2;
}

/// <summary>Route table ids, protocols, scopes and types (<c>RT_TABLE_*</c>, <c>RTPROT_*</c>, <c>RT_SCOPE_*</c>, <c>RTN_*</c>).</summary>
internal static class RouteConstants
{
    /// <summary><c>RT_TABLE_UNSPEC</c>.</summary>
    public const uint TableUnspecified = 0;
    /// <summary><c>RT_TABLE_MAIN</c>.</summary>
    public const uint TableMain = 254;
    /// <summary><c>RT_TABLE_LOCAL</c>.</summary>
    public const uint TableLocal = 255;
    /// <summary><c>RTPROT_KERNEL</c>.</summary>
    public const byte ProtocolKernel = 2;
    /// <summary><c>RTPROT_BOOT</c>: the default for user-added routes.</summary>
    public const byte ProtocolBoot = 3;
    /// <summary><c>RTPROT_STATIC</c>.</summary>
    public const byte ProtocolStatic = 4;
    /// <summary><c>RT_SCOPE_UNIVERSE</c>.</summary>
    public const byte ScopeUniverse = 0;
    /// <summary><c>RT_SCOPE_LINK</c>.</summary>
    public const byte ScopeLink = 253;
    /// <summary><c>RT_SCOPE_HOST</c>.</summary>
    public const byte ScopeHost = 254;
    /// <summary><c>RT_SCOPE_NOWHERE</c>: any scope, in delete requests.</summary>
    public const byte ScopeNowhere = 255;
    /// <summary><c>RTN_UNICAST</c>.</summary>
    public const byte TypeUnicast = 1;
    /// <summary><c>RTNH_F_ONLINK</c>: the gateway is on the link even if no prefix says so.</summary>
    public const uint NextHopFlagOnLink = 4;
    /// <summary><c>FR_ACT_TO_TBL</c>.</summary>
    public const byte RuleActionToTable = 1;
    /// <summary><c>FIB_RULE_INVERT</c>.</summary>
    public const uint RuleFlagInvert = 2;
}

/// <summary>Interface flags (<c>IFF_*</c>).</summary>
[Flags]
public enum InterfaceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,
    /// <summary><c>IFF_UP</c>: administratively up.</summary>
    Up = 0x1,
    /// <summary><c>IFF_BROADCAST</c>.</summary>
    Broadcast = 0x2,
    /// <summary><c>IFF_LOOPBACK</c>.</summary>
    Loopback = 0x8,
    /// <summary><c>IFF_POINTOPOINT</c>.</summary>
    PointToPoint = 0x10,
    /// <summary><c>IFF_NOARP</c>.</summary>
    NoArp = 0x80,
    /// <summary><c>IFF_PROMISC</c>.</summary>
    Promiscuous = 0x100,
    /// <summary><c>IFF_MULTICAST</c>.</summary>
    Multicast = 0x1000,
    /// <summary><c>IFF_LOWER_UP</c>: the carrier is present.</summary>
    LowerUp = 0x10000,
}
