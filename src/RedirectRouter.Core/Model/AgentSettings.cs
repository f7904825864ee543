namespace RedirectRouter.Core.Model;

/// <summary>How the agent runs, as opposed to what it routes.</summary>
/// <param name="Backend">The netfilter front end.</param>
/// <param name="MetricsAddress">Where the health/metrics endpoint listens ("host:port"); null = off.</param>
/// <param name="AnnounceCount">How many gratuitous ARPs / unsolicited NAs to send per address (OpenShift sends 2).</param>
/// <param name="ClusterInterface">The interface client traffic arrives on (the pod's cluster interface).</param>
/// <param name="InterfaceName">The interface name of the first home when it names none.</param>
/// <param name="HostNetns">The host network namespace (a path) in which to create macvlans; null = our own.</param>
/// <param name="Debug">Verbose logging (EGRESS_ROUTER_DEBUG).</param>
/// <param name="AllowLinkLocalDestinations">Rules and fallbacks may go to link-local addresses (169.254.0.0/16, fe80::/10); off by default.</param>
public sealed record AgentSettings(
    NetfilterBackend Backend = NetfilterBackend.Auto,
    string? MetricsAddress = null,
    int AnnounceCount = AgentSettings.DefaultAnnounceCount,
    string ClusterInterface = AgentSettings.DefaultClusterInterface,
    string InterfaceName = AgentSettings.DefaultInterfaceName,
    string? HostNetns = null,
    bool Debug = false,
    bool AllowLinkLocalDestinations = false)
{
    /// <summary>The OpenShift script sends two announcements (arping -A, then -U after 2 s).</summary>
    public const int DefaultAnnounceCount = 2;

    /// <summary>The pod's cluster interface.</summary>
    public const string DefaultClusterInterface = "eth0";

    /// <summary>OpenShift's macvlan name.</summary>
    public const string DefaultInterfaceName = "macvlan0";

    /// <summary>All defaults.</summary>
    public static AgentSettings Default { get; } = new();
}
