namespace RedirectRouter.Netlink.Model;

/// <summary>A veth pair: <c>ip link add NAME type veth peer name PEER [netns NS]</c>.</summary>
public sealed record VethLinkSpec : LinkSpec
{
    /// <summary>The peer's name.</summary>
    public required string PeerName { get; init; }

    /// <summary>Where the peer is created; null for the same namespace as the first end.</summary>
    public NetNamespace? PeerNamespace { get; init; }

    /// <inheritdoc/>
    public override string Kind => "veth";
}
