namespace RedirectRouter.Netlink.Protocol;

/// <summary>Netlink's 4-byte alignment (<c>NLMSG_ALIGN</c>, <c>NLA_ALIGN</c>).</summary>
internal static class NetlinkAlignment
{
    /// <summary>Rounds <paramref name="length"/> up to a multiple of four.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
