using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>
/// The nftables backend: our tables (<c>ip</c>/<c>ip6 redirect_router</c>) replaced in one <c>nft -f</c>
/// transaction, or, when only map elements changed since the last apply, just those elements added and
/// deleted (the table, its counters and established flows are untouched). Every apply is read back with
/// one <c>nft -j list ruleset</c> and compared.
/// </summary>
public sealed class NftablesBackend : INetfilterBackend
{
    private readonly NetfilterTarget _target;
    private readonly ICommandRunner _runner;
    private readonly ILogger _logger;
    private readonly NftRenderer _renderer = new();
    private readonly SemaphoreSlim _serial = new(1, 1);
    private IReadOnlyList<NftTable>? _applied;

    /// <summary>Creates the backend for <paramref name="target"/>.</summary>
    /// <param name="target">The namespace to manage.</param>
    /// <param name="runner">Runs nft; default CliWrap.</param>
    /// <param name="logger">Optional.</param>
    public NftablesBackend(NetfilterTarget target, ICommandRunner? runner = null, ILogger<NftablesBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _runner = runner ?? CliWrapCommandRunner.Instance;
        _logger = logger ?? NullLogger<NftablesBackend>.Instance;
    }

    /// <inheritdoc/>
    public string Name => "nftables";

    /// <inheritdoc/>
    public IRulesetRenderer Renderer => _renderer;

    /// <inheritdoc/>
    public async Task<ApplyResult> ApplyAsync(NatModel nat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nat);
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var desired = _renderer.Build(nat);
            var incremental = false;
            var payload = _applied is null ? null : NftRenderer.ElementDelta(_applied, desired);
            if (payload is not null)
            {
                incremental = true;
                try
                {
                    if (payload.Length > 0)
                    {
                        await LoadAsync(payload, cancellationToken).ConfigureAwait(false);
                    }
                    _applied = desired;
                }
                catch (NetfilterException e)
                {
                    // Someone changed our table behind our back (e.g. deleted it): replace it whole.
                    Log.IncrementalFailed(_logger, e.ToolError);
                    incremental = false;
                }
            }
            if (!incremental)
            {
                payload = await ReplaceAsync(desired, cancellationToken).ConfigureAwait(false);
            }
            var applyTime = clock.Elapsed;

            clock.Restart();
            var drift = await CompareAsync(nat, desired, null, cancellationToken).ConfigureAwait(false);
            if (incremental && HasDifferences(drift))
            {
                // The table drifted since our last apply (the delta was computed from memory): repair it whole.
                Log.Drift(_logger, drift);
                incremental = false;
                payload = await ReplaceAsync(desired, cancellationToken).ConfigureAwait(false);
                drift = await CompareAsync(nat, desired, null, cancellationToken).ConfigureAwait(false);
            }
            if (HasDifferences(drift))
            {
                _applied = null; // the next apply replaces the whole table
            }
            if (!drift.IsClean)
            {
                Log.Drift(_logger, drift);
            }
            Log.Applied(_logger, Name, payload!.Length, _target.ToString(), incremental ? "elements only" : "table replaced",
                (long)applyTime.TotalMilliseconds, clock.ElapsedMilliseconds);
            return new ApplyResult(Name, incremental, applyTime, clock.Elapsed, drift);
        }
        catch
        {
            // A run that timed out may or may not have committed: the next apply replaces the whole table.
            _applied = null;
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
            return await CompareAsync(nat, _renderer.Build(nat), null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RuleCounter>> ReadCountersAsync(CancellationToken cancellationToken = default)
    {
        var counters = new List<RuleCounter>();
        await ListRulesetAsync(counters, cancellationToken).ConfigureAwait(false);
        return counters;
    }

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
            _applied = null;
            Log.CleanedUp(_logger, Name, _target.ToString());
        }
        finally
        {
            _serial.Release();
        }
    }

    // Shadowing is outside our table: replacing the table would not change it.
    private static bool HasDifferences(DriftReport drift) => drift.Missing.Count > 0 || drift.Extra.Count > 0;

    private async Task<string> ReplaceAsync(IReadOnlyList<NftTable> desired, CancellationToken cancellationToken)
    {
        _applied = null;
        var payload = NftRenderer.FullReplace(desired);
        await LoadAsync(payload, cancellationToken).ConfigureAwait(false);
        _applied = desired;
        return payload;
    }

    /// <summary>Test seam: transforms each payload before it is loaded (to inject a line the kernel rejects).</summary>
    internal Func<string, string>? PayloadFilter { get; set; }

    /// <summary>Loads a payload, in one transaction.</summary>
    internal async Task LoadAsync(string payload, CancellationToken cancellationToken)
    {
        payload = PayloadFilter?.Invoke(payload) ?? payload;
        var result = await _target.RunAsync(_runner, "nft", ["-f", "-"], payload, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw PayloadErrors.Rejected("nft", result, payload);
        }
    }

    private async Task<DriftReport> CompareAsync(NatModel nat, IReadOnlyList<NftTable> desired, List<RuleCounter>? counters, CancellationToken cancellationToken)
    {
        List<string> missing = [], extra = [], shadowing = [];
        var live = await ListRulesetAsync(counters, cancellationToken).ConfigureAwait(false);
        foreach (var family in NftRenderer.AllFamilies)
        {
            var actual = live.OurTables.GetValueOrDefault(family);
            var wanted = desired.FirstOrDefault(t => t.Family == family);
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
        FindShadowing(nat, desired, live, shadowing);
        return new DriftReport(Name, missing.ToValueList(), extra.ToValueList(), shadowing.ToValueList());
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

    // One listing of everything: nft loads the whole ruleset into its cache for any listing, so reading our
    // tables, the chain list and foreign rules separately would pay that cost three times.
    private async Task<NftLiveRuleset> ListRulesetAsync(List<RuleCounter>? counters, CancellationToken cancellationToken) =>
        NftJsonReader.ReadRuleset(await RunAsync(["-j", "list", "ruleset"], cancellationToken).ConfigureAwait(false), counters);

    private async Task<string> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var result = await _target.RunAsync(_runner, "nft", arguments, null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput : throw PayloadErrors.Failed("nft", arguments, result);
    }
}
