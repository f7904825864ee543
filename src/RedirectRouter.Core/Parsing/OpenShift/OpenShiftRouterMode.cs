namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>The EGRESS_ROUTER_MODE values egress-router.sh knows.</summary>
public enum OpenShiftRouterMode
{
    /// <summary>Set up the network and NAT, then exit (an init container).</summary>
    Init,
    /// <summary>Set up, then stay running (the default).</summary>
    Legacy,
    /// <summary>Set up the network only; an HTTP proxy container does the rest.</summary>
    HttpProxy,
    /// <summary>Set up the network only; a DNS proxy container does the rest.</summary>
    DnsProxy,
    /// <summary>Print the iptables rules that would be installed, and exit.</summary>
    UnitTest,
    /// <summary>Anything else: an error.</summary>
    Unknown,
}
