namespace RedirectRouter.Netlink.Model;

/// <summary>A software bridge: <c>ip link add NAME type bridge</c>.</summary>
public sealed record BridgeLinkSpec : LinkSpec
{
    /// <inheritdoc/>
    public override string Kind => "bridge";
}
