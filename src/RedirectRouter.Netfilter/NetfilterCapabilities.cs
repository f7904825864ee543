using RedirectRouter.Core.Model;
using RedirectRouter.Netfilter.Iptables;

namespace RedirectRouter.Netfilter;

/// <summary>
/// What the machine (tools and kernel) supports, probed once by <see cref="NetfilterProbe"/>. Features are
/// gated by version the way kube-proxy does it, plus one dry-run transaction for nftables.
/// </summary>
/// <param name="Kernel">The running kernel's version.</param>
/// <param name="Iptables">The iptables programs probed.</param>
/// <param name="IptablesVersion">Their version; null when iptables is missing.</param>
/// <param name="IptablesVariant">Legacy (x_tables) or nf_tables.</param>
/// <param name="Ip6tables">Whether ip6tables-restore runs.</param>
/// <param name="NftVersion">nft's version; null when nft is missing.</param>
/// <param name="NftUsable">Whether our nftables ruleset (concatenated maps, intervals, counters, NAT) passed <c>nft --check</c> in the target namespace.</param>
/// <param name="NftProblem">Why nftables is not usable, when it is not.</param>
public sealed record NetfilterCapabilities(
    Version Kernel,
    IptablesTools Iptables,
    Version? IptablesVersion,
    IptablesVariant IptablesVariant,
    bool Ip6tables,
    Version? NftVersion,
    bool NftUsable,
    string? NftProblem)
{
    /// <summary>iptables-restore learnt --wait in 1.6.2; older ones (RHEL 7's 1.4.21) need us to take the xtables lock.</summary>
    public static readonly Version RestoreWaitMinVersion = new(1, 6, 2);

    /// <summary>DNAT to a shifted port range (<c>--to-destination A:9000-9010/8000</c>): iptables 1.8 with kernel 4.19.</summary>
    public static readonly Version PortShiftMinIptables = new(1, 8, 0);

    /// <summary>The kernel side of the shifted port range (NF_NAT_RANGE_PROTO_OFFSET).</summary>
    public static readonly Version PortShiftMinKernel = new(4, 19);

    /// <summary>Concatenations with intervals and per-element counters, as our ruleset uses them.</summary>
    public static readonly Version NftMinVersion = new(1, 0, 0);

    /// <summary>Whether iptables-restore accepts --wait (else we take /run/xtables.lock ourselves).</summary>
    public bool RestoreSupportsWait => IptablesVersion is { } v && v >= RestoreWaitMinVersion;

    /// <summary>Whether DNAT can shift a port range 1:1 in one rule (else one rule per port).</summary>
    public bool DnatPortShift => IptablesVersion is { } v && v >= PortShiftMinIptables && Kernel >= PortShiftMinKernel;

    /// <summary>Whether the iptables backend can run at all.</summary>
    public bool IptablesUsable => IptablesVersion is not null;

    /// <summary>Resolves <c>auto</c>: nftables when usable, else iptables. Throws when the chosen one cannot run.</summary>
    public NetfilterBackend Choose(NetfilterBackend requested) => requested switch
    {
        NetfilterBackend.Nftables when NftUsable => NetfilterBackend.Nftables,
        NetfilterBackend.Nftables => throw new NetfilterException($"nftables backend requested but not usable: {NftProblem}"),
        NetfilterBackend.Iptables when IptablesUsable => NetfilterBackend.Iptables,
        NetfilterBackend.Iptables => throw new NetfilterException($"iptables backend requested but {Iptables.Version} was not found"),
        _ when NftUsable => NetfilterBackend.Nftables,
        _ when IptablesUsable => NetfilterBackend.Iptables,
        _ => throw new NetfilterException($"neither nftables ({NftProblem}) nor iptables ({Iptables.Version}) is usable"),
    };
}
