using System.ComponentModel;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;
using RedirectRouter.Netlink;

namespace RedirectRouter.Netfilter;

/// <summary>
/// What <c>diag</c> shows of netfilter, from one listing per tool and nothing else: <c>nft -j list ruleset</c>,
/// <c>iptables-save -c</c> and <c>ip6tables-save -c</c> (three processes at most; a tool that is not installed
/// holds nothing). Presence, counters and every comparison are read from those listings.
/// </summary>
public static class NetfilterInspector
{
    /// <summary>Reads the listings of <paramref name="target"/>; changes nothing.</summary>
    /// <param name="runner">Runs the tools.</param>
    /// <param name="target">The namespace to look at.</param>
    /// <param name="requested">The configured backend: the one reported when nothing of ours is present yet.</param>
    /// <param name="iptables">The iptables tool names (default: the distribution's).</param>
    /// <param name="cancellationToken">Stops the tools.</param>
    /// <exception cref="NetfilterException">A tool that is installed failed.</exception>
    public static async Task<NetfilterInspection> ReadAsync(ICommandRunner runner, NetfilterTarget target, NetfilterBackend requested,
        IptablesTools? iptables = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(target);
        iptables ??= IptablesTools.Default;

        var nftJson = await TryListAsync(runner, target, "nft", ["-j", "list", "ruleset"], cancellationToken).ConfigureAwait(false);
        var ipv4 = await TryListAsync(runner, target, iptables.Save, ["-c"], cancellationToken).ConfigureAwait(false);
        var ipv6 = ipv4 is null ? null : await TryListAsync(runner, target, iptables.Save6, ["-c"], cancellationToken).ConfigureAwait(false);

        var counters = new List<RuleCounter>();
        var nft = nftJson is null ? null : NftJsonReader.ReadRuleset(nftJson, counters);
        var saved = new Dictionary<AddressFamily, IptablesSaveState>();
        if (ipv4 is not null)
        {
            saved[AddressFamily.InterNetwork] = IptablesSaveState.Parse(ipv4);
        }
        if (ipv6 is not null)
        {
            saved[AddressFamily.InterNetworkV6] = IptablesSaveState.Parse(ipv6);
        }

        var nftTables = nft is null ? [] : NftRenderer.AllFamilies.Where(nft.OurTables.ContainsKey).ToList();
        var chains = saved.SelectMany(f => OurChains(f.Value, IptablesRenderer.LabelOf(f.Key))).ToList();
        var presence = new NetfilterPresence(nftTables, chains);

        // The backend in use is the one whose objects are there; before any, the one the configuration would choose.
        var backend = presence.Nftables && nft is not null ? NetfilterBackend.Nftables
            : presence.Iptables ? NetfilterBackend.Iptables
            : requested == NetfilterBackend.Iptables && ipv4 is not null ? NetfilterBackend.Iptables
            : nft is not null ? NetfilterBackend.Nftables
            : ipv4 is not null ? NetfilterBackend.Iptables
            : (NetfilterBackend?)null;
        if (backend == NetfilterBackend.Nftables && presence.Nftables)
        {
            ReadMapCountersNatively(target, counters);
        }
        if (backend == NetfilterBackend.Iptables)
        {
            counters.Clear();
            foreach (var (family, state) in saved)
            {
                IptablesBackend.CountersOf(family, state, counters);
            }
        }
        return new NetfilterInspection(presence, backend, backend is null ? [] : counters, nft, saved,
            DnatPortShift(ipv4));
    }

    // The mappings' counters come from the kernel over nf_tables netlink, as the agent's own /metrics reads them,
    // so diag and the metrics agree; the listing's copies of them are dropped. When netlink cannot be opened in the
    // namespace (an old kernel, no permission), the listing's counters stand.
    private static void ReadMapCountersNatively(NetfilterTarget target, List<RuleCounter> counters)
    {
        try
        {
            using var handle = NftablesBackend.OpenHandle(target);
            var native = new List<RuleCounter>();
            NftablesBackend.ReadMapCounters(handle, native);
            counters.RemoveAll(IsMapCounter);
            counters.AddRange(native);
        }
        catch (NetlinkException)
        {
        }
    }

    private static bool IsMapCounter(RuleCounter counter) =>
        counter.Location.Contains($" {NftRenderer.TableName} map ", StringComparison.Ordinal);

    /// <summary>Our chains (<c>RR-*</c>) in one iptables-save listing, as <c>LABEL TABLE CHAIN</c>.</summary>
    internal static IEnumerable<string> OurChains(IptablesSaveState listing, string label) =>
        listing.Tables.SelectMany(t => t.Value.Chains
            .Where(c => c.StartsWith(IptablesRenderer.ChainPrefix, StringComparison.Ordinal))
            .Select(c => $"{label} {t.Key} {c}"));

    // Whether the iptables that wrote the listing renders shifted port ranges (its header names its version).
    private static bool DnatPortShift(string? listing)
    {
        var header = listing?.Split('\n').FirstOrDefault(l => l.StartsWith("# Generated by", StringComparison.Ordinal));
        var (version, _) = header is null ? (null, IptablesVariant.None) : NetfilterProbe.ParseVersion(header);
        return version is null || (version >= NetfilterCapabilities.PortShiftMinIptables && Environment.OSVersion.Version >= NetfilterCapabilities.PortShiftMinKernel);
    }

    private static async Task<string?> TryListAsync(ICommandRunner runner, NetfilterTarget target, string tool, string[] arguments, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await target.RunAsync(runner, tool, arguments, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Win32Exception or CliWrap.Exceptions.CliWrapException or FileNotFoundException)
        {
            return null; // not installed
        }
        // nsenter reports a tool it cannot find with 127; nft without kernel support fails to list.
        return result.Succeeded ? result.StandardOutput
            : result.ExitCode == 127 || result.StandardError.Contains("No such file", StringComparison.Ordinal) ? null
            : throw PayloadErrors.Failed(tool, arguments, result);
    }
}

/// <summary>Which of redirect-router's netfilter objects exist in a namespace: its nftables tables, its iptables <c>RR-*</c> chains.</summary>
/// <param name="NftTables">The families of our nftables tables (<c>ip</c>, <c>ip6</c>).</param>
/// <param name="IptablesChains">Our iptables chains, as <c>iptables nat RR-DNAT</c>.</param>
public sealed record NetfilterPresence(IReadOnlyList<string> NftTables, IReadOnlyList<string> IptablesChains)
{
    /// <summary>Any nftables table of ours.</summary>
    public bool Nftables => NftTables.Count > 0;

    /// <summary>Any iptables chain of ours.</summary>
    public bool Iptables => IptablesChains.Count > 0;

    /// <summary>Anything of ours.</summary>
    public bool Any => Nftables || Iptables;
}

/// <summary>What <see cref="NetfilterInspector.ReadAsync"/> read: compare it with any model without running a tool again.</summary>
public sealed class NetfilterInspection
{
    private readonly NftLiveRuleset? _nft;
    private readonly Dictionary<AddressFamily, IptablesSaveState> _iptables;
    private readonly IptablesRenderer _iptablesRenderer;

    internal NetfilterInspection(NetfilterPresence presence, NetfilterBackend? backend, IReadOnlyList<RuleCounter> counters,
        NftLiveRuleset? nft, Dictionary<AddressFamily, IptablesSaveState> iptables, bool dnatPortShift)
    {
        Presence = presence;
        Backend = backend;
        Counters = counters;
        _nft = nft;
        _iptables = iptables;
        _iptablesRenderer = new IptablesRenderer(dnatPortShift);
    }

    /// <summary>Our objects in each front end.</summary>
    public NetfilterPresence Presence { get; }

    /// <summary>The backend in use (or, with nothing of ours present, the one that would be); null when neither tool is installed.</summary>
    public NetfilterBackend? Backend { get; }

    /// <summary>"nftables" or "iptables", as the backends name themselves; null when neither tool is installed.</summary>
    public string? BackendName => Backend switch
    {
        NetfilterBackend.Nftables => "nftables",
        NetfilterBackend.Iptables => "iptables",
        _ => null,
    };

    /// <summary>The counters of our rules (and, on nftables, of each mapping) in the backend in use.</summary>
    public IReadOnlyList<RuleCounter> Counters { get; }

    /// <summary>Compares the listings with the ruleset for <paramref name="nat"/> (no tool runs); null when neither tool is installed.</summary>
    public DriftReport? Verify(NatModel nat)
    {
        ArgumentNullException.ThrowIfNull(nat);
        if (Backend == NetfilterBackend.Nftables && _nft is not null)
        {
            var shadowing = new List<string>();
            var drift = NftablesBackend.CompareListing(nat, new NftRenderer().Build(nat), _nft, shadowing);
            return drift with { Shadowing = shadowing.ToValueList() };
        }
        if (Backend != NetfilterBackend.Iptables)
        {
            return null;
        }
        List<string> missing = [], extra = [], shadowed = [];
        var egress = nat.Snat.Select(s => s.Interface).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            if (_iptables.TryGetValue(family, out var live))
            {
                IptablesVerifier.Compare(_iptablesRenderer.Build(nat, family), live, nat.ClusterInterface, egress, missing, extra, shadowed);
            }
        }
        return new DriftReport("iptables", missing.ToValueList(), extra.ToValueList(), shadowed.ToValueList());
    }
}
