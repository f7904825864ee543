namespace RedirectRouter.Core.Model;

/// <summary>The transport protocol a redirect rule matches.</summary>
public enum Protocol
{
    /// <summary>TCP.</summary>
    Tcp,
    /// <summary>UDP.</summary>
    Udp,
    /// <summary>SCTP (EgressRouter resource and native config only).</summary>
    Sctp,
}

/// <summary>The macvlan mode (see ip-link(8)).</summary>
public enum MacvlanMode
{
    /// <summary>Macvlans on the same parent talk directly to each other.</summary>
    Bridge,
    /// <summary>Macvlans on the same parent cannot talk to each other (OpenShift 3's choice).</summary>
    Private,
    /// <summary>Traffic between macvlans goes out through the parent's switch.</summary>
    Vepa,
    /// <summary>One macvlan owns the parent.</summary>
    Passthru,
}

/// <summary>How a home gets its interface.</summary>
public enum LinkOrigin
{
    /// <summary>Create a macvlan on the parent NIC (and fail if the name is taken by something else).</summary>
    Create,
    /// <summary>Use an existing interface of that name; never create or delete it.</summary>
    Adopt,
    /// <summary>Use the interface if it exists (OpenShift 3's SDN made it), else create it.</summary>
    AdoptOrCreate,
}

/// <summary>Which netfilter front end renders the NAT rules.</summary>
public enum NetfilterBackend
{
    /// <summary>nftables if the kernel and tool have it, else iptables.</summary>
    Auto,
    /// <summary>iptables-restore.</summary>
    Iptables,
    /// <summary>nft -f.</summary>
    Nftables,
}

/// <summary>The three input formats; validation differs slightly between them.</summary>
public enum ConfigFormat
{
    /// <summary>The OpenShift 3 egress-router environment variables.</summary>
    OpenShiftEnvironment,
    /// <summary>The OpenShift 4 EgressRouter resource.</summary>
    EgressRouterResource,
    /// <summary>The native YAML/JSON configuration.</summary>
    Native,
}
