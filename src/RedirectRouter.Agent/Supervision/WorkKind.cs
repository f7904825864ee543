namespace RedirectRouter.Agent.Supervision;

/// <summary>What the supervisor's loop has to do next; several requests of one kind collapse into one pass.</summary>
[Flags]
public enum WorkKind
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Links, addresses, routes or rules may have drifted.</summary>
    Network = 1,
    /// <summary>The netfilter ruleset may have drifted.</summary>
    Netfilter = 2,
    /// <summary>The configuration file changed.</summary>
    Reload = 4,
    /// <summary>Announce the egress addresses.</summary>
    Announce = 8,
    /// <summary>nf_tables transactions were committed; a verification follows only if one of them was not ours.</summary>
    NetfilterEvents = 16,
}
