namespace RedirectRouter.Netfilter;

/// <summary>What one apply did.</summary>
/// <param name="Backend">"iptables" or "nftables".</param>
/// <param name="Incremental">True when only nftables map elements were changed (no table re-created).</param>
/// <param name="ApplyTime">Time spent reading state (iptables jumps) and running the restore / nft transaction.</param>
/// <param name="VerifyTime">Time spent reading the state back and comparing it.</param>
/// <param name="Drift">The read-back result; clean unless something changed the rules in between or a tool misreports.</param>
public sealed record ApplyResult(string Backend, bool Incremental, TimeSpan ApplyTime, TimeSpan VerifyTime, DriftReport Drift);
