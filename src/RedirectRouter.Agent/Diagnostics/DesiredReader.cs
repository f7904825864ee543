using System.Net.Sockets;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// What diag compares the kernel with: the planned desired state when there is a configuration (each home's
/// routing table as the planner chose it), else the homes the agent left in the kernel (macvlans, or links it
/// marked, with the gateways and table of the routes it made on them).
/// </summary>
internal static class DesiredReader
{
    /// <summary>The homes, from the plan or inferred from <paramref name="tables"/>.</summary>
    public static List<DesiredHome> Homes(RouterConfig? config, DesiredState? desired, NetworkTables tables)
    {
        if (config is not null && desired is not null)
        {
            var tableOf = desired.Nat.Homes.ToDictionary(h => h.Home, h => (uint)h.Table, StringComparer.Ordinal);
            return config.Homes.Select(home => new DesiredHome(home.Name, home.InterfaceName, home.Parent,
                home.Addresses, home.Gateways, home.Mtu,
                tableOf[home.Name])).ToList();
        }

        return tables.Links.Where(IsEgressCandidate).Select(l =>
        {
            var owned = NetworkReader.Routes(tables).Where(r => r.Protocol == Ownership.RouteProtocol && NetworkReader.DeviceOf(r) == l.Index).ToList();
            var gateways = owned.Where(r => r.Gateway is null && r.NextHops.Count == 0 && IsHost(r.Destination)).Select(r => r.Destination.BaseAddress)
                .Concat(owned.Where(r => r.Destination.PrefixLength == 0).SelectMany(NetworkReader.Gateways))
                .Distinct().ToList();
            var table = owned.Select(r => r.Table).FirstOrDefault(t => t != NetworkReader.MainTable, NetworkReader.MainTable);
            var addresses = tables.GlobalAddressesOf(l.Index).Select(a => new Core.Model.InterfaceAddress(a.Address, a.PrefixLength)).ToList();
            return new DesiredHome(l.Name, l.Name, null, addresses, gateways, null, table);
        }).ToList();
    }

    /// <summary>The DNAT and fallback destinations with the interface their traffic leaves by; empty without a desired state.</summary>
    public static List<DesiredDestination> Destinations(DesiredState? desired)
    {
        if (desired is null)
        {
            return [];
        }

        var interfaceOfHome = desired.Nat.Homes.ToDictionary(h => h.Home, h => h.Interface, StringComparer.Ordinal);
        return desired.Nat.Dnat.Select(d => new DesiredDestination(d.Destination, interfaceOfHome[d.Home]))
            .Concat(desired.Nat.Fallbacks.Select(f => new DesiredDestination(f.Destination, interfaceOfHome[f.Home])))
            .DistinctBy(d => (d.Address, d.Interface)).ToList();
    }

    /// <summary>A link that is, or may be, an egress interface: a macvlan, or one the agent marked.</summary>
    public static bool IsEgressCandidate(Link link) => link.Kind == "macvlan" || link.Alias == Ownership.LinkAlias;

    private static bool IsHost(System.Net.IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
}
