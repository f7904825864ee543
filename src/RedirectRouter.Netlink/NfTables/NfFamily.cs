namespace RedirectRouter.Netlink.NfTables;

/// <summary>An nf_tables table family (<c>NFPROTO_*</c>), as nft names it.</summary>
public enum NfFamily : byte
{
    /// <summary><c>NFPROTO_UNSPEC</c>: every family (dumps only).</summary>
    Unspecified = 0,
    /// <summary><c>inet</c>.</summary>
    Inet = 1,
    /// <summary><c>ip</c>.</summary>
    Ip = 2,
    /// <summary><c>ip6</c>.</summary>
    Ip6 = 10,
}

/// <summary>Names of <see cref="NfFamily"/> values.</summary>
internal static class NfFamilyNames
{
    /// <summary>The nft keyword: <c>ip</c>, <c>ip6</c>, <c>inet</c>.</summary>
    public static string Keyword(this NfFamily family) => family switch
    {
        NfFamily.Ip => "ip",
        NfFamily.Ip6 => "ip6",
        NfFamily.Inet => "inet",
        _ => "unspec",
    };
}
