namespace RedirectRouter.Core.Model;

/// <summary>The whole configuration: what all three input formats normalise to.</summary>
/// <param name="Homes">The ways out, in order; the first is the primary home.</param>
/// <param name="Rules">The redirect rules, in input order.</param>
/// <param name="Fallback">Where unmatched traffic goes, per family.</param>
/// <param name="Settings">Agent settings.</param>
public sealed record RouterConfig(
    ValueList<Home> Homes,
    ValueList<RedirectRule> Rules,
    FallbackDestinations Fallback,
    AgentSettings Settings);
