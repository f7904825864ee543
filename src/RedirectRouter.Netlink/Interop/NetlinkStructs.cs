using System.Runtime.InteropServices;

namespace RedirectRouter.Netlink.Interop;

// Fixed headers of the netlink messages we send and receive. Tmds.LibC has none of them.
// Layouts follow the uapi headers exactly; StructLayoutTests checks their sizes.

/// <summary><c>struct nlmsghdr</c> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Sequence;
    public uint PortId;

    /// <summary>The header's size.</summary>
    public const int Size = 16;
}

/// <summary><c>struct nlattr</c> / <c>struct rtattr</c> (4 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NlAttr
{
    public ushort Length;
    public ushort Type;

    /// <summary>The header's size.</summary>
    public const int Size = 4;
}

/// <summary><c>struct ifinfomsg</c> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMsg
{
    public byte Family;
    public byte Pad;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;
}

/// <summary><c>struct rtgenmsg</c> padded to its aligned size (4 bytes), the header of <c>RTM_*NSID</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtGenMsg
{
    public byte Family;
    public byte Pad1;
    public ushort Pad2;
}

/// <summary><c>struct ifaddrmsg</c> (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfAddrMsg
{
    public byte Family;
    public byte PrefixLength;
    public byte Flags;
    public byte Scope;
    public int Index;
}

/// <summary><c>struct rtmsg</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtMsg
{
    public byte Family;
    public byte DestinationLength;
    public byte SourceLength;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;
}

/// <summary><c>struct fib_rule_hdr</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FibRuleHdr
{
    public byte Family;
    public byte DestinationLength;
    public byte SourceLength;
    public byte Tos;
    public byte Table;
    public byte Reserved1;
    public byte Reserved2;
    public byte Action;
    public uint Flags;
}

/// <summary><c>struct ndmsg</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NdMsg
{
    public byte Family;
    public byte Pad1;
    public ushort Pad2;
    public int Index;
    public ushort State;
    public byte Flags;
    public byte Type;
}

/// <summary><c>struct rtnexthop</c> (8 bytes), one entry of <c>RTA_MULTIPATH</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtNextHop
{
    public ushort Length;
    public byte Flags;
    public byte Hops;
    public int Index;
}

/// <summary><c>struct sockaddr_nl</c> (12 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNl
{
    public ushort Family;
    public ushort Pad;
    public uint PortId;
    public uint Groups;
}

/// <summary>The fixed part of <c>struct nlmsgerr</c>: the errno, then the request's header.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgErr
{
    public int Error;
    public NlMsgHdr Request;
}

/// <summary><c>struct timeval</c> on 64-bit Linux, for <c>SO_RCVTIMEO</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timeval
{
    public long Seconds;
    public long Microseconds;
}
