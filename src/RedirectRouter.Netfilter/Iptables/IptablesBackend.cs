using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>
/// The iptables backend: per family one <c>iptables-restore --noflush</c> per apply (our chains replaced
/// atomically, missing jumps inserted), then <c>iptables-save</c> read back and compared. Works with the
/// nf_tables and the legacy flavour, and with 1.4.21 (no --wait: we take the xtables lock).
/// </summary>
public sealed class IptablesBackend : INetfilterBackend
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);
    private readonly NetfilterTarget _target;
    private readonly NetfilterCapabilities _capabilities;
    private readonly OwnProcesses _runner;
    private readonly ILogger _logger;
    private readonly IptablesRenderer _renderer;
    private readonly SemaphoreSlim _serial = new(1, 1);
    // The listings each verification read, by the report it produced: a repair applies from them instead of reading again.
    // Only while nothing has been loaded since (the epoch counts our loads).
    private readonly ConditionalWeakTable<DriftReport, Listings> _readFor = [];
    private long _epoch;

    /// <summary>Creates the backend for <paramref name="target"/>.</summary>
    /// <param name="target">The namespace to manage.</param>
    /// <param name="capabilities">The probe result (tool names, version, port-shift support).</param>
    /// <param name="runner">Runs the tools; default CliWrap.</param>
    /// <param name="logger">Optional.</param>
    public IptablesBackend(NetfilterTarget target, NetfilterCapabilities capabilities, ICommandRunner? runner = null, ILogger<IptablesBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(capabilities);
        _target = target;
        _capabilities = capabilities;
        _runner = new OwnProcesses(runner ?? CliWrapCommandRunner.Instance);
        _logger = logger ?? NullLogger<IptablesBackend>.Instance;
        _renderer = new IptablesRenderer(capabilities.DnatPortShift);
    }

    /// <summary>Where /run/xtables.lock is (tests point it elsewhere).</summary>
    internal string LockPath { get; init; } = XtablesLock.DefaultPath;

    /// <inheritdoc/>
    public string Name => "iptables";

    /// <inheritdoc/>
    public IRulesetRenderer Renderer => _renderer;

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
            var bytes = 0;
            // Rendered once: loaded, then compared with what reads back.
            var rendered = new Dictionary<AddressFamily, IptablesRuleset>();
            var known = verified is not null && _readFor.TryGetValue(verified, out var read) && read.Epoch == _epoch ? read.ByFamily : null;
            _epoch++;
            foreach (var family in ManagedFamilies(NatModelFacts.HasIpv6(nat)))
            {
                var desired = rendered[family] = _renderer.Build(nat, family);
                var live = known?.GetValueOrDefault(family) ?? await SaveAsync(family, cancellationToken).ConfigureAwait(false);
                var payload = IptablesPayload.Build(desired, live);
                if (payload.Length > 0)
                {
                    await RestoreOrRollBackAsync(family, payload, live, cancellationToken).ConfigureAwait(false);
                    bytes += payload.Length;
                }
            }
            var applyTime = clock.Elapsed;
            clock.Restart();
            var drift = await VerifyCoreAsync(nat, rendered, cancellationToken).ConfigureAwait(false);
            Log.Applied(_logger, Name, bytes, _target.ToString(), "full chains", (long)applyTime.TotalMilliseconds, clock.ElapsedMilliseconds);
            if (!drift.IsClean)
            {
                Log.Drift(_logger, drift);
            }
            return new ApplyResult(Name, false, applyTime, clock.Elapsed, drift);
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
            return await VerifyCoreAsync(nat, null, cancellationToken).ConfigureAwait(false);
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
        foreach (var family in ManagedFamilies(needsIpv6: false))
        {
            CountersOf(family, await SaveAsync(family, cancellationToken).ConfigureAwait(false), counters);
        }
        return counters;
    }

    // The counters of our chains' rules in one listing.
    internal static void CountersOf(AddressFamily family, IptablesSaveState live, List<RuleCounter> counters)
    {
        foreach (var (tableName, table) in live.Tables)
        {
            foreach (var chain in IptablesOwnership.OwnedChains(table))
            {
                counters.AddRange(table.RulesOf(chain).Select(r =>
                    new RuleCounter($"{IptablesRenderer.LabelOf(family)} {tableName} {chain}", r.Text, r.Packets, r.Bytes)));
            }
        }
    }

    /// <inheritdoc/>
    public bool IsOwnTransaction(uint portId, uint? processId) => processId is { } id && _runner.Contains(id);

    /// <inheritdoc/>
    public async Task CleanupAsync(CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _epoch++;
            foreach (var family in ManagedFamilies(needsIpv6: false))
            {
                var live = await SaveAsync(family, cancellationToken).ConfigureAwait(false);
                var payload = IptablesPayload.Build(new IptablesRuleset(family, []), live);
                if (payload.Length > 0)
                {
                    await RestoreAsync(family, payload, cancellationToken).ConfigureAwait(false);
                }
            }
            Log.CleanedUp(_logger, Name, _target.ToString());
        }
        finally
        {
            _serial.Release();
        }
    }

    // iptables-restore commits table by table: when a later table is rejected, the earlier ones are already
    // replaced. Put our chains of those tables back as they were, so a failed apply changes nothing.
    private async Task RestoreOrRollBackAsync(AddressFamily family, string payload, IptablesSaveState before, CancellationToken cancellationToken)
    {
        try
        {
            await RestoreAsync(family, payload, cancellationToken).ConfigureAwait(false);
        }
        catch (NetfilterException)
        {
            var now = await SaveAsync(family, cancellationToken).ConfigureAwait(false);
            var rollback = IptablesPayload.Build(IptablesRulesetFromLive.Of(family, before), now);
            if (rollback.Length > 0)
            {
                await RestoreAsync(family, rollback, cancellationToken).ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>Loads a payload as is.</summary>
    internal async Task RestoreAsync(AddressFamily family, string payload, CancellationToken cancellationToken)
    {
        var tool = family == AddressFamily.InterNetworkV6 ? _capabilities.Iptables.Restore6 : _capabilities.Iptables.Restore;
        var arguments = new List<string> { "--noflush" };
        XtablesLock? held = null;
        if (_capabilities.RestoreSupportsWait)
        {
            arguments.Add("--wait=5");
        }
        else if (_capabilities.IptablesVariant != IptablesVariant.NfTables)
        {
            Log.TakingLock(_logger, Name, _capabilities.IptablesVersion);
            held = await XtablesLock.AcquireAsync(LockPath, abstractSocket: _target.NetnsPath is null, LockTimeout, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var result = await _target.RunAsync(_runner, tool, arguments, payload, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw PayloadErrors.Rejected(tool, result, payload);
            }
        }
        finally
        {
            held?.Dispose();
        }
    }

    // One iptables-save per family, compared with the ruleset (rendered here unless the caller just did).
    private async Task<DriftReport> VerifyCoreAsync(NatModel nat, Dictionary<AddressFamily, IptablesRuleset>? rendered, CancellationToken cancellationToken)
    {
        List<string> missing = [], extra = [], shadowing = [];
        var egress = nat.Snat.Select(s => s.Interface).Distinct(StringComparer.Ordinal).ToArray();
        var read = new Dictionary<AddressFamily, IptablesSaveState>();
        foreach (var family in ManagedFamilies(NatModelFacts.HasIpv6(nat)))
        {
            var desired = rendered?.GetValueOrDefault(family) ?? _renderer.Build(nat, family);
            var live = read[family] = await SaveAsync(family, cancellationToken).ConfigureAwait(false);
            IptablesVerifier.Compare(desired, live, nat.ClusterInterface, egress, missing, extra, shadowing);
        }
        var report = new DriftReport(Name, missing.ToValueList(), extra.ToValueList(), shadowing.ToValueList());
        _readFor.AddOrUpdate(report, new Listings(_epoch, read));
        return report;
    }

    private async Task<IptablesSaveState> SaveAsync(AddressFamily family, CancellationToken cancellationToken)
    {
        var tool = family == AddressFamily.InterNetworkV6 ? _capabilities.Iptables.Save6 : _capabilities.Iptables.Save;
        string[] arguments = ["-c"];
        var result = await _target.RunAsync(_runner, tool, arguments, null, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw PayloadErrors.Failed(tool, arguments, result);
        }
        return IptablesSaveState.Parse(result.StandardOutput);
    }

    // IPv6 is managed whenever ip6tables works: its filter is wanted even without anything IPv6 configured.
    // Where ip6tables does not run (a kernel without IPv6), there is no IPv6 to forward.
    private IEnumerable<AddressFamily> ManagedFamilies(bool needsIpv6)
    {
        yield return AddressFamily.InterNetwork;
        if (_capabilities.Ip6tables || needsIpv6)
        {
            yield return AddressFamily.InterNetworkV6;
        }
    }

    private sealed record Listings(long Epoch, Dictionary<AddressFamily, IptablesSaveState> ByFamily);
}
