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
    // Address families as rtnetlink numbers them (AF_INET, AF_INET6).
    internal const byte Inet = 2;
    internal const byte Inet6 = 10;

    /// <summary>Dumps links, addresses and neighbours (both families), routes of every table and rules (per family).</summary>
    public static NetworkTables Dump(NetlinkHandle handle) => new(
        handle.LinkList(),
        handle.AddrList(),
        handle.RouteList(Inet, table: null).Concat(handle.RouteList(Inet6, table: null)).ToList(),
        handle.RuleList(Inet).Concat(handle.RuleList(Inet6)).ToList(),
        handle.NeighborList());

    /// <summary>The global addresses (no link-local, no loopback, universe scope) of one link.</summary>
    public IEnumerable<InterfaceAddress> GlobalAddressesOf(int index) =>
        Addresses.Where(a => a.InterfaceIndex == index && !a.Address.IsIPv6LinkLocal && !System.Net.IPAddress.IsLoopback(a.Address) && a.Scope == 0);
}
