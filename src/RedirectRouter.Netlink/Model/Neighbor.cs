using System.Net;

namespace RedirectRouter.Netlink.Model;

/// <summary>A neighbour cache entry: <c>ip neigh show</c>.</summary>
public sealed record Neighbor
{
    /// <summary>The interface index.</summary>
    public required int InterfaceIndex { get; init; }

    /// <summary>The neighbour's IP address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The link-layer address as <c>aa:bb:cc:dd:ee:ff</c>, when resolved.</summary>
    public string? LinkLayerAddress { get; init; }

    /// <summary>The cache state.</summary>
    public NeighborState State { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Address} dev #{InterfaceIndex}{(LinkLayerAddress is null ? "" : $" lladdr {LinkLayerAddress}")} {State}";
}
