namespace RedirectRouter.Core.Rendering;

/// <summary>A netfilter ruleset as text, with the backend that produced it.</summary>
/// <param name="Backend">"iptables" or "nftables".</param>
/// <param name="Text">The ruleset.</param>
public sealed record RenderedRuleset(string Backend, string Text);
