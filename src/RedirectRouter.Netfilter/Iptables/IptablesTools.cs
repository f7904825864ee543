namespace RedirectRouter.Netfilter.Iptables;

/// <summary>The program names of one iptables flavour, per family.</summary>
/// <param name="Version">The version-reporting program (<c>iptables</c>).</param>
/// <param name="Save">iptables-save.</param>
/// <param name="Restore">iptables-restore.</param>
/// <param name="Save6">ip6tables-save.</param>
/// <param name="Restore6">ip6tables-restore.</param>
public sealed record IptablesTools(string Version, string Save, string Restore, string Save6, string Restore6)
{
    /// <summary>Whatever <c>iptables</c> is on this machine (nft or legacy, per the distribution's alternatives).</summary>
    public static IptablesTools Default { get; } = new("iptables", "iptables-save", "iptables-restore", "ip6tables-save", "ip6tables-restore");

    /// <summary>The x_tables flavour explicitly (Debian/RHEL 8+ name it *-legacy).</summary>
    public static IptablesTools Legacy { get; } = new("iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore");

    /// <summary>The nf_tables flavour explicitly.</summary>
    public static IptablesTools Nft { get; } = new("iptables-nft", "iptables-nft-save", "iptables-nft-restore", "ip6tables-nft-save", "ip6tables-nft-restore");
}
