namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>The environment variable names of the OpenShift egress router image, plus ours.</summary>
public static class OpenShiftVariables
{
    /// <summary>The egress IPv4 address, optionally with a prefix length.</summary>
    public const string Source = "EGRESS_SOURCE";
    /// <summary>The IPv4 gateway.</summary>
    public const string Gateway = "EGRESS_GATEWAY";
    /// <summary>The redirect lines.</summary>
    public const string Destination = "EGRESS_DESTINATION";
    /// <summary>A file holding the redirect lines (a mounted ConfigMap key), for inputs over the environment size limit.</summary>
    public const string DestinationFile = "EGRESS_DESTINATION_FILE";
    /// <summary>init, legacy (default), http-proxy, dns-proxy or unit-test.</summary>
    public const string Mode = "EGRESS_ROUTER_MODE";
    /// <summary>Non-empty: verbose output.</summary>
    public const string Debug = "EGRESS_ROUTER_DEBUG";
    /// <summary>The node NIC to put the macvlan on (default: the host's default-route interface).</summary>
    public const string Parent = "EGRESS_ROUTER_PARENT";
    /// <summary>The host network namespace path in which the macvlan is created.</summary>
    public const string HostNetns = "EGRESS_ROUTER_HOST_NETNS";
    /// <summary>The macvlan mode (default private, as OpenShift 3).</summary>
    public const string MacvlanMode = "EGRESS_ROUTER_MACVLAN_MODE";
}
