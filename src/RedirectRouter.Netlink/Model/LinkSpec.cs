namespace RedirectRouter.Netlink.Model;

/// <summary>What to create with <see cref="NetlinkHandle.LinkAdd"/>: a name, an optional MTU, and where the link should live.</summary>
public abstract record LinkSpec
{
    /// <summary>The new interface's name (at most 15 bytes).</summary>
    public required string Name { get; init; }

    /// <summary>The MTU; null keeps the kernel's default (the parent's, for macvlan).</summary>
    public int? Mtu { get; init; }

    /// <summary>
    /// Create the link directly in this namespace (<c>IFLA_NET_NS_FD</c>) rather than in the handle's own.
    /// The parent is still looked up in the handle's namespace.
    /// </summary>
    public NetNamespace? TargetNamespace { get; init; }

    /// <summary>The link kind sent in <c>IFLA_INFO_KIND</c>.</summary>
    public abstract string Kind { get; }
}
