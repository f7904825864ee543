using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Planning;

/// <summary>An interface the router uses; the same type describes what should be and what is (for the differ).</summary>
/// <param name="Name">The interface name in the router's namespace.</param>
/// <param name="Parent">The node NIC of the macvlan; null = the host's default-route interface (desired) or unknown (observed).</param>
/// <param name="Mode">The macvlan mode.</param>
/// <param name="Mtu">The MTU; null = the parent's (desired) or unknown (observed).</param>
/// <param name="Origin">Created by us, adopted, or adopted when present.</param>
/// <param name="Home">The home it serves.</param>
/// <param name="Up">Whether the link is (to be) administratively up.</param>
public sealed record LinkSpec(string Name, string? Parent, MacvlanMode Mode, int? Mtu, LinkOrigin Origin, string Home, bool Up = true);

/// <summary>An address on an interface.</summary>
/// <param name="Interface">The interface name.</param>
/// <param name="Address">The address and prefix length.</param>
public sealed record AddressSpec(string Interface, InterfaceAddress Address);

/// <summary>The scope of a route (rtnetlink RT_SCOPE_*).</summary>
public enum RouteScope
{
    /// <summary>Via a gateway (RT_SCOPE_UNIVERSE).</summary>
    Universe,
    /// <summary>Directly on the link (RT_SCOPE_LINK): "ip route add GW/32 dev macvlan0".</summary>
    Link,
}

/// <summary>A route in a routing table.</summary>
/// <param name="Table">The routing table id (<see cref="RouteTable"/>; 254 = main).</param>
/// <param name="Destination">The destination prefix.</param>
/// <param name="Interface">The outgoing interface.</param>
/// <param name="NextHops">The next hops (several = ECMP, with weights); empty for an on-link route.</param>
/// <param name="Metric">The route priority; null = kernel default.</param>
/// <param name="Scope">Link for on-link routes, universe for routes via a gateway.</param>
/// <param name="PreferredSource">The source address for the router's own traffic (ip route ... src).</param>
public sealed record RouteEntry(
    int Table,
    IPNetwork Destination,
    string Interface,
    ValueList<NextHop> NextHops,
    int? Metric,
    RouteScope Scope,
    IPAddress? PreferredSource)
{
    /// <summary>The address family.</summary>
    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    /// <summary>What the kernel uses to tell routes apart: table, destination and metric.</summary>
    public (int Table, IPNetwork Destination, int? Metric) Key => (Table, Destination, Metric);
}

/// <summary>A policy routing rule (ip rule): packets with a mark, or from an address, use a table.</summary>
/// <param name="Priority">The rule priority (lower first).</param>
/// <param name="Family">IPv4 or IPv6 (separate rule lists in the kernel).</param>
/// <param name="FirewallMark">Match this fwmark, if set.</param>
/// <param name="From">Match this source prefix, if set.</param>
/// <param name="Table">The table to look up.</param>
public sealed record PolicyRule(int Priority, AddressFamily Family, uint? FirewallMark, IPNetwork? From, int Table);

/// <summary>Links, addresses, routes and rules: what the network part of the router should look like (or looks like).</summary>
/// <param name="Links">The interfaces.</param>
/// <param name="Addresses">The addresses.</param>
/// <param name="Routes">The routes we own.</param>
/// <param name="Rules">The policy rules we own.</param>
public sealed record NetworkState(
    ValueList<LinkSpec> Links,
    ValueList<AddressSpec> Addresses,
    ValueList<RouteEntry> Routes,
    ValueList<PolicyRule> Rules)
{
    /// <summary>Nothing at all.</summary>
    public static NetworkState Empty { get; } = new([], [], [], []);
}
