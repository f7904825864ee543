using RedirectRouter.Core.Planning;

namespace RedirectRouter.Netfilter;

/// <summary>
/// One netfilter front end (iptables or nftables) for one network namespace, kube-proxy style: the
/// whole desired ruleset is rendered from the <see cref="NatModel"/>, applied atomically in one tool run,
/// then read back and compared. Only our own chains (iptables, <c>RR-*</c>) or tables (nftables,
/// <c>redirect_router</c>) are changed; foreign rules are left alone. Calls are serialized.
/// </summary>
public interface INetfilterBackend
{
    /// <summary>"iptables" or "nftables".</summary>
    string Name { get; }

    /// <summary>The pure renderer this backend applies (what <c>plan</c> prints).</summary>
    IRulesetRenderer Renderer { get; }

    /// <summary>Makes the kernel hold exactly the ruleset for <paramref name="nat"/>, atomically, then verifies it.</summary>
    /// <exception cref="NetfilterException">The tool rejected the ruleset; the previous ruleset is still fully in place.</exception>
    Task<ApplyResult> ApplyAsync(NatModel nat, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="ApplyAsync(NatModel, CancellationToken)"/>, starting from the state that <paramref name="verified"/>
    /// was read from (a repair: verify, then apply when drifted), so that state is not read again. A report that this
    /// backend did not produce, or null, means "read it now".
    /// </summary>
    Task<ApplyResult> ApplyAsync(NatModel nat, DriftReport? verified, CancellationToken cancellationToken = default);

    /// <summary>Reads the live state and compares it with the ruleset for <paramref name="nat"/>; changes nothing.</summary>
    Task<DriftReport> VerifyAsync(NatModel nat, CancellationToken cancellationToken = default);

    /// <summary>The packet and byte counters of our rules (and, on nftables, of each mapping).</summary>
    Task<IReadOnlyList<RuleCounter>> ReadCountersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// True when the nf_tables transaction a change event reported was committed by this backend: by its own
    /// netlink socket (<paramref name="portId"/>) or by a tool it ran (<paramref name="processId"/>, the
    /// committing process the kernel names). A supervisor ignores these and re-reads only after foreign ones.
    /// </summary>
    bool IsOwnTransaction(uint portId, uint? processId);

    /// <summary>Removes exactly what we own (our chains and the jumps to them, or our tables); idempotent.</summary>
    Task CleanupAsync(CancellationToken cancellationToken = default);
}
