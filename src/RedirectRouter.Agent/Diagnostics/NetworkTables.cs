using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// The router namespace's rtnetlink tables, each dumped once per diag: every reader groups and filters these
/// instead of asking the kernel again (a per-link address or neighbour list dumps the whole table anyway).
/// </summary>
internal sealed record NetworkTables(
    IReadOnlyList<Link> Links,
    IReadOnlyList<InterfaceAddress> Addresses,
    IReadOnlyList<Route> Routes,
    IReadOnlyList<RoutingRule> Rules,
    IReadOnlyList<Neighbor> Neighbours)
{
    /// <summary>Dumps links, addresses and neighbours (both families), routes of every table and rules (per family).</summary>
    public static NetworkTables Dump(NetlinkHandle handle) => new(
        handle.LinkList(),
        handle.AddrList(),
        handle.RouteList(System.Net.Sockets.AddressFamily.InterNetwork, table: null).Concat(handle.RouteList(System.Net.Sockets.AddressFamily.InterNetworkV6, table: null)).ToList(),
        handle.RuleList(System.Net.Sockets.AddressFamily.InterNetwork).Concat(handle.RuleList(System.Net.Sockets.AddressFamily.InterNetworkV6)).ToList(),
        handle.NeighborList());

    /// <summary>The global addresses (no link-local, no loopback, universe scope) of one link.</summary>
    public IEnumerable<InterfaceAddress> GlobalAddressesOf(int index) =>
        Addresses.Where(a => a.InterfaceIndex == index && !a.Address.IsIPv6LinkLocal && !System.Net.IPAddress.IsLoopback(a.Address) && a.Scope == 0);
}
