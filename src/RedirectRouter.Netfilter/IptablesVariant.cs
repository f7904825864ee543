namespace RedirectRouter.Netfilter;

/// <summary>Which kernel interface an iptables binary drives.</summary>
public enum IptablesVariant
{
    /// <summary>No iptables found.</summary>
    None,
    /// <summary>x_tables (iptables-legacy, and every 1.4.x such as RHEL 7's 1.4.21).</summary>
    Legacy,
    /// <summary>nf_tables through the iptables syntax (iptables-nft, the default of 1.8.x on current distributions).</summary>
    NfTables,
}
