using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Core.Model;

/// <summary>
/// One way out of the router: an interface (a macvlan on a node NIC, or an adopted interface)
/// with its egress addresses, gateways and extra routes.
/// </summary>
/// <param name="Name">The home's name, referenced by rules.</param>
/// <param name="InterfaceName">The interface name inside the router's namespace (e.g. <c>macvlan0</c>).</param>
/// <param name="Parent">The node NIC the macvlan sits on; null = the host's default-route interface.</param>
/// <param name="Origin">Whether the interface is created, adopted, or adopted when present.</param>
/// <param name="Mode">The macvlan mode.</param>
/// <param name="Mtu">The MTU; null = the parent's.</param>
/// <param name="Addresses">The egress addresses (the SNAT sources), IPv4 and IPv6.</param>
/// <param name="Gateways">The default gateways, at most one per family.</param>
/// <param name="GatewayOnLink">Whether gateways are reachable on the link even outside the subnet.</param>
/// <param name="Routes">Extra routes out of this home.</param>
public sealed record Home(
    string Name,
    string InterfaceName,
    string? Parent,
    LinkOrigin Origin,
    MacvlanMode Mode,
    int? Mtu,
    ValueList<InterfaceAddress> Addresses,
    ValueList<IPAddress> Gateways,
    bool GatewayOnLink,
    ValueList<RouteSpec> Routes)
{
    /// <summary>The first address of a family, the SNAT source for that family.</summary>
    public InterfaceAddress? SourceFor(AddressFamily family) => Addresses.FirstOrDefault(a => a.Family == family);

    /// <summary>The gateway of a family, if any.</summary>
    public IPAddress? GatewayFor(AddressFamily family) => Gateways.FirstOrDefault(g => g.AddressFamily == family);
}
