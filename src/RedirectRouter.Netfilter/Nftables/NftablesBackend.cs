using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.NfTables;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>
/// The nftables backend. Tables, chains and rules (a handful, changing rarely) are replaced in one <c>nft -f</c>
/// transaction; everything that scales with the number of mappings goes over <c>NETLINK_NETFILTER</c> without a
/// process: an element-only change is one batch of deletes and adds committed against the generation read at the
/// last verification, elements and their counters are dumped natively, and verification compares the dumped
/// elements with the compact values held here and our chains and rules (handles, expressions, the maps their
/// lookups name) with what was read after the last verified load. <c>nft -j -t list ruleset</c> (no set contents)
/// runs only after a load of the structure, or to describe structural drift and shadowing in the tool's words.
/// </summary>
public sealed class NftablesBackend : INetfilterBackend, IDisposable
{
    private static readonly (string Name, NfMapKind Kind)[] OurMaps =
        [(NftRenderer.PortMap, NfMapKind.Ports), (NftRenderer.RangeMap, NfMapKind.Ranges), (NftRenderer.MarkMap, NfMapKind.Marks)];

    private readonly NetfilterTarget _target;
    private readonly OwnProcesses _runner;
    private readonly ILogger _logger;
    private readonly NftRenderer _renderer = new();
    private readonly SemaphoreSlim _serial = new(1, 1);
    private NfTablesHandle? _handle;
    private volatile uint _portId;
    // What the kernel holds as far as we know: our tables without elements, and the elements as compact values.
    private IReadOnlyList<NftTable>? _skeleton;
    private ElementStore? _elements;
    // Our chains and rules as read natively after a verified load of the structure; null until then.
    private Dictionary<NfFamily, Structure>? _baseline;
    private uint? _generation;
    // Whether the read-back at _generation found our tables exactly as held (and what shadowed them then).
    private bool _verifiedClean;
    private ValueList<string> _lastShadowing = [];
    // What each verification found, by the report it produced (the generation it read, whether our structure
    // differed): a repair at the same generation goes straight to the fix instead of reading again.
    private readonly ConditionalWeakTable<DriftReport, VerifiedAt> _verifiedReports = [];

    /// <summary>Creates the backend for <paramref name="target"/>.</summary>
    /// <param name="target">The namespace to manage.</param>
    /// <param name="runner">Runs nft; default CliWrap.</param>
    /// <param name="logger">Optional.</param>
    public NftablesBackend(NetfilterTarget target, ICommandRunner? runner = null, ILogger<NftablesBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _runner = new OwnProcesses(runner ?? CliWrapCommandRunner.Instance);
        _logger = logger ?? NullLogger<NftablesBackend>.Instance;
    }

    /// <inheritdoc/>
    public string Name => "nftables";

    /// <inheritdoc/>
    public IRulesetRenderer Renderer => _renderer;

    /// <summary>
    /// Whether a first load (no table of ours yet) creates the structure with <c>nft -f</c> and then adds the elements
    /// natively (faster at 10,000 elements than nft parsing them; measured by <c>rr-netfilter-bench</c>). Replacing
    /// an existing table always goes in one <c>nft -f</c>, so no packet meets our chains with empty maps.
    /// </summary>
    internal bool NativeFirstLoad { get; set; } = true;

    /// <summary>
    /// False to do everything through nft as before the native path existed (element changes as <c>nft -f</c> text,
    /// verification and counters from <c>nft -j list ruleset</c>): the comparison the benchmark measures against.
    /// </summary>
    internal bool UseNetlink { get; set; } = true;

    /// <inheritdoc/>
    public Task<ApplyResult> ApplyAsync(NatModel nat, CancellationToken cancellationToken = default) =>
        ApplyAsync(nat, null, cancellationToken);

    /// <inheritdoc/>
    public async Task<ApplyResult> ApplyAsync(NatModel nat, DriftReport? verified, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nat);
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var skeleton = _renderer.BuildSkeleton(nat);
            var desired = ElementStore.From(NftRenderer.BuildElements(nat));
            var incremental = false;
            var proven = false;
            var changes = 0;
            var repairedFromVerify = false;
            if (verified is not null && HasDifferences(verified) && _verifiedReports.TryGetValue(verified, out var found)
                && Handle() is { } verifiedHandle && verifiedHandle.GenerationGet().Id == found.Generation)
            {
                // Nothing changed since the verification read the drift: fix it without reading again. Elements
                // alone are repaired natively; a drifted structure only nft can re-create.
                incremental = !found.Structural && _skeleton is not null && SameStructure(_skeleton, skeleton)
                    && RepairElements(verifiedHandle, skeleton, desired);
                if (!incremental)
                {
                    changes = await ReplaceAsync(nat, skeleton, desired, cancellationToken).ConfigureAwait(false);
                }
                repairedFromVerify = true;
            }
            else if (_skeleton is not null && _elements is not null && SameStructure(_skeleton, skeleton) && Handle() is null)
            {
                var batch = _elements.DeltaTo(desired);
                changes = batch.Operations.Sum(o => o.Elements.Count);
                try
                {
                    if (!batch.IsEmpty)
                    {
                        await LoadAsync(ElementStore.ToNftText(batch), cancellationToken).ConfigureAwait(false);
                    }
                    _elements = desired;
                    incremental = true;
                }
                catch (NetfilterException e)
                {
                    Log.IncrementalFailed(_logger, e.ToolError);
                }
            }
            else if (_skeleton is not null && _elements is not null && SameStructure(_skeleton, skeleton) && Handle() is { } handle)
            {
                var batch = _elements.DeltaTo(desired);
                changes = batch.Operations.Sum(o => o.Elements.Count);
                var verifiedAt = _verifiedClean ? _generation : null;
                try
                {
                    handle.Commit(batch, _generation);
                    incremental = true;
                    // Accepted against the generation of a clean read-back, and the generation moved by exactly our
                    // commit: the kernel holds what was verified plus this batch, nothing else. No need to dump it again.
                    var now = handle.GenerationGet().Id;
                    proven = verifiedAt is { } at && now == (batch.IsEmpty ? at : NextGeneration(at));
                    if (proven)
                    {
                        _generation = now;
                    }
                }
                catch (NetlinkException e) when (NfTablesHandle.IsGenerationConflict(e) || e.Errno is Errors.ENOENT or Errors.EEXIST)
                {
                    // Someone changed the ruleset since we last read it: repair from what the kernel holds now.
                    Log.IncrementalFailed(_logger, e.Message);
                    incremental = RepairElements(handle, skeleton, desired);
                }
                if (incremental)
                {
                    _elements = desired;
                }
            }
            if (!incremental && !repairedFromVerify)
            {
                changes = await ReplaceAsync(nat, skeleton, desired, cancellationToken).ConfigureAwait(false);
            }
            var applyTime = clock.Elapsed;

            clock.Restart();
            var (drift, structural) = proven
                ? (new DriftReport(Name, [], [], _lastShadowing), false)
                : await CompareAsync(nat, skeleton, desired, cancellationToken).ConfigureAwait(false);
            if (HasDifferences(drift))
            {
                // The kernel drifted since our last read (the delta was computed from memory): repair the elements
                // natively when only they differ, else replace the table.
                Log.Drift(_logger, drift);
                if (structural || Handle() is not { } repairHandle || !RepairElements(repairHandle, skeleton, desired))
                {
                    incremental = false;
                    changes = await ReplaceAsync(nat, skeleton, desired, cancellationToken).ConfigureAwait(false);
                }
                (drift, _) = await CompareAsync(nat, skeleton, desired, cancellationToken).ConfigureAwait(false);
            }
            if (HasDifferences(drift))
            {
                _skeleton = null; // the next apply replaces the whole table
            }
            if (!drift.IsClean)
            {
                Log.Drift(_logger, drift);
            }
            Log.AppliedElements(_logger, Name, changes, _target.ToString(), incremental ? "elements only, natively" : "table replaced",
                (long)applyTime.TotalMilliseconds, clock.ElapsedMilliseconds);
            return new ApplyResult(Name, incremental, applyTime, clock.Elapsed, drift);
        }
        catch
        {
            // A run that timed out may or may not have committed: the next apply replaces the whole table.
            Forget();
            throw;
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<DriftReport> VerifyAsync(NatModel nat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nat);
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var skeleton = _renderer.BuildSkeleton(nat);
            var desired = _skeleton is not null && _elements is not null && SameStructure(_skeleton, skeleton)
                ? null // unchanged model: compare with the elements we hold, without rebuilding them
                : ElementStore.From(NftRenderer.BuildElements(nat));
            return (await CompareAsync(nat, skeleton, desired ?? _elements!, cancellationToken).ConfigureAwait(false)).Drift;
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RuleCounter>> ReadCountersAsync(CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counters = new List<RuleCounter>();
            if (Handle() is not { } handle)
            {
                await ListRulesetAsync(counters, terse: false, cancellationToken).ConfigureAwait(false);
                return counters;
            }

            var rulesRead = _skeleton is not null && ReadRuleCounters(handle, _skeleton, counters);
            if (!rulesRead)
            {
                // Without the rules we loaded (diag of another process's table), nft names them once.
                counters.Clear();
                await ListRulesetAsync(counters, terse: true, cancellationToken).ConfigureAwait(false);
            }
            ReadMapCounters(handle, counters);
            return counters;
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// The per-mapping counters of our maps in every family, read natively (an element dump of each map, no
    /// process); a map that is not there adds nothing.
    /// </summary>
    internal static void ReadMapCounters(NfTablesHandle handle, List<RuleCounter> counters)
    {
        foreach (var family in NftRenderer.AllFamilies)
        {
            foreach (var (name, kind) in OurMaps)
            {
                if (TryList(handle, Map(family, name, kind)) is not { } entries)
                {
                    continue;
                }
                var location = $"{family} {NftRenderer.TableName} map {name}";
                foreach (var entry in entries)
                {
                    if (entry.Counter is { } c)
                    {
                        counters.Add(new RuleCounter(location, NftRenderer.ElementText(entry.Element), c.Packets, c.Bytes));
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public bool IsOwnTransaction(uint portId, uint? processId) =>
        (_portId != 0 && portId == _portId) || (processId is { } id && _runner.Contains(id));

    /// <summary>Table comments are kept by the kernel from 5.10 on (NFTA_TABLE_USERDATA); older ones drop them silently.</summary>
    public static readonly Version TableCommentMinKernel = new(5, 10);

    /// <summary>nft writes and prints table comments from 0.9.7 on.</summary>
    public static readonly Version TableCommentMinNft = new(0, 9, 7);

    /// <summary>The nft version, when known (probed): an nft too old to print table comments cannot tell ours apart.</summary>
    public Version? NftVersion { get; init; }

    // Whether a table of our name can be told apart by its comment here; if not, the name alone has to do.
    private bool CommentsVisible => Environment.OSVersion.Version >= TableCommentMinKernel && (NftVersion is null || NftVersion >= TableCommentMinNft);

    /// <summary>
    /// The families (<c>ip</c>, <c>ip6</c>) whose table of our name is ours: it carries <see cref="NftRenderer.TableComment"/>.
    /// On a kernel that cannot keep a table comment, or with an nft that cannot print one, the name alone has to do.
    /// </summary>
    public async Task<IReadOnlyList<string>> OwnedTableFamiliesAsync(CancellationToken cancellationToken = default)
    {
        var owned = new List<string>();
        foreach (var family in NftRenderer.AllFamilies)
        {
            string[] arguments = ["list", "table", family, NftRenderer.TableName];
            var result = await _target.RunAsync(_runner, "nft", arguments, null, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                if (result.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
                {
                    continue; // no table of that name
                }
                throw PayloadErrors.Failed("nft", arguments, result);
            }
            if (IsMarked(result.StandardOutput) || !CommentsVisible)
            {
                owned.Add(family);
            }
            else
            {
                Log.ForeignTable(_logger, family, NftRenderer.TableName, _target.ToString());
            }
        }
        return owned;
    }

    /// <summary>Whether an <c>nft list table</c> listing carries our table comment (at table level: one tab in, as nft prints it).</summary>
    internal static bool IsMarked(string listing) =>
        listing.Split('\n').Any(line => line.TrimEnd('\r') == $"\tcomment \"{NftRenderer.TableComment}\"");

    /// <inheritdoc/>
    public async Task CleanupAsync(CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Only tables that carry our mark: a foreign table that happens to have our name stays.
            var owned = await OwnedTableFamiliesAsync(cancellationToken).ConfigureAwait(false);
            if (owned.Count > 0)
            {
                await LoadAsync(string.Concat(owned.Select(f => $"delete table {f} {NftRenderer.TableName}\n")), cancellationToken).ConfigureAwait(false);
            }
            Forget();
            Log.CleanedUp(_logger, Name, _target.ToString());
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>Closes the netlink socket.</summary>
    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        _serial.Dispose();
    }

    /// <summary>Loads a payload, in one transaction.</summary>
    internal async Task LoadAsync(string payload, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(_runner, "nft", ["-f", "-"], payload, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw PayloadErrors.Rejected("nft", result, payload);
        }
    }

    // Shadowing is outside our table: replacing the table would not change it.
    private static bool HasDifferences(DriftReport drift) => drift.Missing.Count > 0 || drift.Extra.Count > 0;

    private static bool SameStructure(IReadOnlyList<NftTable> a, IReadOnlyList<NftTable> b) => a.SequenceEqual(b);

    private static NfFamily Family(string family) => family == "ip6" ? NfFamily.Ip6 : NfFamily.Ip;

    private static NfMap Map(string family, string name, NfMapKind kind) => new(Family(family), NftRenderer.TableName, name, kind);

    private static NfMapKind KindOf(string map) => map switch
    {
        NftRenderer.PortMap => NfMapKind.Ports,
        NftRenderer.RangeMap => NfMapKind.Ranges,
        _ => NfMapKind.Marks,
    };

    // The generation after one more commit (the kernel skips 0 when it wraps).
    private static uint NextGeneration(uint generation) => generation == uint.MaxValue ? 1 : generation + 1;

    private void Forget()
    {
        _verifiedClean = false;
        _skeleton = null;
        _elements = null;
        _baseline = null;
        _generation = null;
    }

    /// <summary>An nf_tables netlink handle in <paramref name="target"/>'s namespace (this process's own when it names none).</summary>
    /// <exception cref="NetlinkException">The socket cannot be opened there.</exception>
    internal static NfTablesHandle OpenHandle(NetfilterTarget target)
    {
        if (target.NetnsPath is not { } path)
        {
            return NfTablesHandle.Open();
        }
        using var ns = NetNamespace.OpenPath(path);
        return NfTablesHandle.OpenIn(ns);
    }

    // The native handle, opened on first use in the target namespace; null where netlink cannot be used
    // (then every read goes through nft, as before).
    private NfTablesHandle? Handle()
    {
        if (!UseNetlink)
        {
            return null;
        }
        if (_handle is not null)
        {
            return _handle;
        }
        try
        {
            _handle = OpenHandle(_target);
            _portId = _handle.PortId;
        }
        catch (NetlinkException e)
        {
            Log.NativeUnavailable(_logger, e.Message);
        }
        return _handle;
    }

    // Replaces our tables (or creates them): returns how many elements went in.
    private async Task<int> ReplaceAsync(NatModel nat, IReadOnlyList<NftTable> skeleton, ElementStore desired, CancellationToken cancellationToken)
    {
        Forget();
        var handle = Handle();
        if (NativeFirstLoad && handle is not null && !OurTablesExist(handle))
        {
            // Nothing of ours to replace, so no packet can meet the empty maps between the two transactions.
            await LoadAsync(NftRenderer.FullReplace(skeleton), cancellationToken).ConfigureAwait(false);
            try
            {
                handle.Commit(desired.AddAll(), generation: null);
                Remember(skeleton, desired);
                return desired.Count;
            }
            catch (NetlinkException e)
            {
                Log.IncrementalFailed(_logger, e.Message);
            }
        }
        await LoadAsync(NftRenderer.FullReplace(_renderer.Build(nat)), cancellationToken).ConfigureAwait(false);
        Remember(skeleton, desired);
        return desired.Count;
    }

    private void Remember(IReadOnlyList<NftTable> skeleton, ElementStore elements)
    {
        _skeleton = skeleton;
        _elements = elements;
    }

    private static bool OurTablesExist(NfTablesHandle handle) =>
        NftRenderer.AllFamilies.Any(f => handle.ChainsList(Family(f), NftRenderer.TableName).Count > 0
            || OurMaps.Any(m => TryList(handle, Map(f, m.Name, m.Kind)) is not null));

    // Reads the live elements and commits what turns them into the desired ones; false when a map is missing
    // (the structure drifted: only nft can re-create it).
    private bool RepairElements(NfTablesHandle handle, IReadOnlyList<NftTable> skeleton, ElementStore desired)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var generation = handle.GenerationGet().Id;
            if (ReadLive(handle, skeleton) is not { } live)
            {
                return false;
            }
            try
            {
                handle.Commit(live.DeltaTo(desired), generation);
                _elements = desired;
                return true;
            }
            catch (NetlinkException e) when (NfTablesHandle.IsGenerationConflict(e))
            {
                // Changed again while we read: read again.
            }
            catch (NetlinkException e) when (e.Errno is Errors.ENOENT or Errors.EEXIST)
            {
                Log.IncrementalFailed(_logger, e.Message);
                return false;
            }
        }
        return false;
    }

    // The elements of every map the skeleton declares, or null when one of them is not there.
    private static ElementStore? ReadLive(NfTablesHandle handle, IReadOnlyList<NftTable> skeleton)
    {
        var live = new ElementStore();
        foreach (var table in skeleton)
        {
            foreach (var map in table.Maps)
            {
                if (TryList(handle, Map(table.Family, map.Name, KindOf(map.Name))) is not { } entries)
                {
                    return null;
                }
                live.AddMap(table.Family, map.Name);
                foreach (var entry in entries)
                {
                    live.Add(table.Family, map.Name, entry.Element);
                }
            }
        }
        return live;
    }

    private static List<NfMapEntry>? TryList(NfTablesHandle handle, NfMap map)
    {
        try
        {
            return handle.ElementsList(map);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    private static List<NfRule>? TryRules(NfTablesHandle handle, NfFamily family)
    {
        try
        {
            return handle.RulesList(family, NftRenderer.TableName);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    // Counters of our rules, named by the rules we loaded (same chains, same order as verified); false when the
    // live rules no longer line up with them.
    private static bool ReadRuleCounters(NfTablesHandle handle, IReadOnlyList<NftTable> skeleton, List<RuleCounter> counters)
    {
        foreach (var table in skeleton)
        {
            var rules = TryRules(handle, Family(table.Family)) ?? [];
            foreach (var chain in table.Chains)
            {
                var live = rules.Where(r => r.Chain == chain.Name).ToArray();
                if (live.Length != chain.Rules.Count)
                {
                    return false;
                }
                for (var i = 0; i < live.Length; i++)
                {
                    if (live[i].Counter is { } c)
                    {
                        counters.Add(new RuleCounter($"{table.Family} {NftRenderer.TableName} chain {chain.Name}", chain.Rules[i], c.Packets, c.Bytes));
                    }
                }
            }
        }
        return true;
    }

    // Compares the kernel with the skeleton and the desired elements. Elements and our structure are read
    // natively; nft describes the structure only when it differs from the verified baseline (or there is none yet),
    // and foreign rules only when a foreign chain could shadow ours.
    private async Task<(DriftReport Drift, bool Structural)> CompareAsync(NatModel nat, IReadOnlyList<NftTable> skeleton, ElementStore desired, CancellationToken cancellationToken)
    {
        if (Handle() is not { } handle)
        {
            // Everything from one full listing, elements included.
            var shadowed = new List<string>();
            var full = await CompareWithNftAsync(nat, _renderer.Build(nat), shadowed, terse: false, cancellationToken).ConfigureAwait(false);
            return (full with { Shadowing = shadowed.ToValueList() }, true);
        }

        List<string> missing = [], extra = [];
        var generation = handle.GenerationGet().Id;
        var structure = new Dictionary<NfFamily, Structure>();
        var structureMatches = _baseline is not null;
        foreach (var family in NftRenderer.AllFamilies)
        {
            var fam = Family(family);
            var chains = handle.ChainsList(fam, NftRenderer.TableName);
            var rules = TryRules(handle, fam) ?? [];
            var now = new Structure(chains.Select(c => new ChainShape(c.Name, c.Handle, c.Type, c.Hook, c.Priority, c.Policy)).ToArray(),
                rules.Select(r => new RuleShape(r.Chain, r.Handle, string.Join(' ', r.Expressions), string.Join(' ', r.Lookups))).ToArray());
            structure[fam] = now;
            var wanted = skeleton.FirstOrDefault(t => t.Family == family);
            if (wanted is null)
            {
                structureMatches = structureMatches && now.IsEmpty && OurMaps.All(m => TryList(handle, Map(family, m.Name, m.Kind)) is null);
                continue;
            }
            structureMatches = structureMatches && _baseline!.TryGetValue(fam, out var known) && known.Equals(now);
            foreach (var map in wanted.Maps)
            {
                if (TryList(handle, Map(family, map.Name, KindOf(map.Name))) is not { } entries)
                {
                    structureMatches = false;
                    continue;
                }
                desired.Compare(family, map.Name, entries, $"{family} {NftRenderer.TableName} map {map.Name}", missing, extra);
            }
        }

        var shadowCandidates = ShadowCandidates(handle, skeleton);
        var shadowing = new List<string>();
        var structural = false;
        if (!structureMatches || shadowCandidates)
        {
            // One terse listing (no set contents): the structure in nft's words, and the foreign rules.
            var described = await CompareWithNftAsync(nat, skeleton, shadowing, terse: true, cancellationToken).ConfigureAwait(false);
            structural = described.Missing.Count > 0 || described.Extra.Count > 0;
            missing.InsertRange(0, described.Missing);
            extra.InsertRange(0, described.Extra);
            _baseline = structural ? null : structure;
        }
        _generation = generation;
        _verifiedClean = missing.Count == 0 && extra.Count == 0 && _baseline is not null;
        _lastShadowing = shadowing.ToValueList();
        var report = new DriftReport(Name, missing.ToValueList(), extra.ToValueList(), _lastShadowing);
        _verifiedReports.AddOrUpdate(report, new VerifiedAt(generation, structural));
        return (report, structural);
    }

    // A foreign NAT base chain on prerouting that runs no later than ours might take traffic before our map does.
    private static bool ShadowCandidates(NfTablesHandle handle, IReadOnlyList<NftTable> skeleton)
    {
        var ours = skeleton.SelectMany(t => t.Chains).Where(c => c.Name == NftRenderer.DnatChain).Select(c => c.Priority).DefaultIfEmpty(int.MinValue).Max();
        return handle.ChainsList(NfFamily.Unspecified).Any(c => c.Table != NftRenderer.TableName && c.Type == "nat" && c.Hook == 0 && c.Priority <= ours);
    }

    // Our tables' structure (maps declared, chains, rules) compared from nft's terse listing; with a list for
    // shadowing, foreign rules too.
    private async Task<DriftReport> CompareWithNftAsync(NatModel nat, IReadOnlyList<NftTable> skeleton, List<string>? shadowing, bool terse, CancellationToken cancellationToken)
    {
        var live = await ListRulesetAsync(null, terse, cancellationToken).ConfigureAwait(false);
        return CompareListing(nat, skeleton, live, shadowing);
    }

    // Our tables in one listing compared with the desired ones (and, with a list for it, the foreign rules that shadow ours).
    internal static DriftReport CompareListing(NatModel nat, IReadOnlyList<NftTable> skeleton, NftLiveRuleset live, List<string>? shadowing)
    {
        List<string> missing = [], extra = [];
        foreach (var family in NftRenderer.AllFamilies)
        {
            var actual = live.OurTables.GetValueOrDefault(family);
            var wanted = skeleton.FirstOrDefault(t => t.Family == family);
            if (wanted is null)
            {
                if (actual is not null)
                {
                    extra.Add($"table {family} {NftRenderer.TableName}");
                }
                continue;
            }
            NftVerifier.Compare(wanted, actual, missing, extra);
        }
        if (shadowing is not null)
        {
            FindShadowing(nat, skeleton, live, shadowing);
        }
        return new DriftReport("nftables", missing.ToValueList(), extra.ToValueList(), []);
    }

    // Foreign NAT chains on prerouting that run no later than ours and DNAT cluster traffic take it before our map does.
    private static void FindShadowing(NatModel nat, IReadOnlyList<NftTable> desired, NftLiveRuleset live, List<string> shadowing)
    {
        foreach (var chain in live.Chains)
        {
            var ours = desired.FirstOrDefault(t => t.Family == chain.Family || chain.Family == "inet")?.Chains.FirstOrDefault(c => c.Name == NftRenderer.DnatChain);
            if (ours is null || chain.Table == NftRenderer.TableName || chain.Type != "nat" || chain.Hook != "prerouting" || chain.Priority > ours.Priority)
            {
                continue;
            }
            foreach (var rule in live.ForeignRules.GetValueOrDefault((chain.Family, chain.Table, chain.Name)) ?? [])
            {
                var otherInterface = rule.StartsWith("iifname \"", StringComparison.Ordinal) && !rule.StartsWith($"iifname \"{nat.ClusterInterface}\"", StringComparison.Ordinal);
                var nats = rule.Contains("dnat ", StringComparison.Ordinal) || rule.Contains("redirect", StringComparison.Ordinal)
                    || rule.Contains("\"DNAT\"", StringComparison.Ordinal) || rule.Contains("\"REDIRECT\"", StringComparison.Ordinal) || rule.EndsWith(" drop", StringComparison.Ordinal);
                if (nats && !otherInterface)
                {
                    shadowing.Add($"{chain.Family} {chain.Table} chain {chain.Name} (priority {chain.Priority}): {rule}");
                }
            }
        }
    }

    // One listing of everything (terse: without set contents): nft loads the whole ruleset into its cache for
    // any listing, so reading our tables, the chain list and foreign rules separately would pay that cost three times.
    private async Task<NftLiveRuleset> ListRulesetAsync(List<RuleCounter>? counters, bool terse, CancellationToken cancellationToken) =>
        NftJsonReader.ReadRuleset(await RunAsync(terse ? ["-j", "-t", "list", "ruleset"] : ["-j", "list", "ruleset"], cancellationToken).ConfigureAwait(false), counters);

    private async Task<string> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(_runner, "nft", arguments, null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput : throw PayloadErrors.Failed("nft", arguments, result);
    }

    private sealed record VerifiedAt(uint Generation, bool Structural);

    private readonly record struct ChainShape(string Name, ulong Handle, string? Type, uint? Hook, int? Priority, uint? Policy);

    private readonly record struct RuleShape(string Chain, ulong Handle, string Expressions, string Lookups);

    // Our chains and rules of one family as the kernel numbers them: any change by anyone gives new handles.
    private sealed record Structure(ChainShape[] Chains, RuleShape[] Rules)
    {
        public bool IsEmpty => Chains.Length == 0 && Rules.Length == 0;

        public bool Equals(Structure? other) => other is not null && Chains.AsSpan().SequenceEqual(other.Chains) && Rules.AsSpan().SequenceEqual(other.Rules);

        public override int GetHashCode() => HashCode.Combine(Chains.Length, Rules.Length);
    }
}
