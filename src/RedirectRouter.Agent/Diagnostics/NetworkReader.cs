using System.Net;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// The network facts: egress and cluster interfaces, their addresses, routes of the main and home tables, rules,
/// the gateways' neighbour entries and the drift <see cref="NetworkObserver"/> sees, all from one dump of each
/// rtnetlink table (<see cref="NetworkTables"/>).
/// </summary>
internal static class NetworkReader
{
    /// <summary>The main routing table.</summary>
    public const uint MainTable = RouteFact.MainTable;

    private const uint LocalTable = 255;
    private const byte UnicastRoute = 1;

    public static DiagFacts Read(DiagFacts facts, NetworkTables tables, ParentLocator parents, RouterConfig? config, DesiredState? desired, List<string> notes)
    {
        var byName = tables.Links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var clusterName = config?.Settings.ClusterInterface ?? AgentSettings.DefaultClusterInterface;
        var homes = DesiredReader.Homes(config, desired, tables);
        var egressNames = homes.Select(h => h.Interface)
            .Concat(tables.Links.Where(DesiredReader.IsEgressCandidate).Select(l => l.Name))
            .Distinct(StringComparer.Ordinal).ToList();

        var interfaces = egressNames.Select(name =>
        {
            var home = homes.FirstOrDefault(x => x.Interface == name);
            return byName.TryGetValue(name, out var link)
                ? Describe(link, home?.Name) with { Parent = parents.LookUp(link, notes) }
                : new InterfaceFact
                {
                    Name = name,
                    Home = home?.Name,
                    Present = false,
                    Parent = home?.Parent is { } parentName ? parents.LookUpByName(parentName) : null,
                };
        }).ToList();

        IReadOnlyList<string>? drift = null;
        if (desired is not null)
        {
            var (observed, _) = NetworkObserver.Observe(tables.Links, tables.Addresses, tables.Routes, tables.Rules, desired.Network);
            drift = StateDiffer.Diff(NetworkObserver.Normalize(desired.Network), observed).Select(NetworkApplier.Describe).ToList();
        }

        return facts with
        {
            Interfaces = interfaces,
            ClusterInterface = byName.TryGetValue(clusterName, out var clusterLink) ? Describe(clusterLink, null) : null,
            Addresses = Addresses(tables, byName, egressNames, clusterName, desired),
            Routes = RoutingReader.Routes(tables, homes, desired),
            Rules = RoutingReader.Rules(tables, desired),
            NetworkDrift = drift,
            Gateways = Gateways(tables, byName, homes),
            Desired = new DesiredFact
            {
                FromConfig = config is not null,
                Homes = homes,
                Destinations = DesiredReader.Destinations(desired),
                ClusterInterface = clusterName,
            },
        };
    }

    /// <summary>Unicast routes of every table but local (and no link-local or multicast IPv6 ones).</summary>
    public static IEnumerable<Route> Routes(NetworkTables tables) => tables.Routes
        .Where(r => r.Table is not LocalTable and not 0 && r.Type == UnicastRoute
            && !r.Destination.BaseAddress.IsIPv6LinkLocal && !r.Destination.BaseAddress.IsIPv6Multicast);

    public static int? DeviceOf(Route route) => route.OutputInterface ?? (route.NextHops.Count > 0 ? route.NextHops[0].InterfaceIndex : null);

    public static IEnumerable<IPAddress> Gateways(Route route) =>
        route.Gateway is { } g ? [g] : route.NextHops.Select(h => h.Gateway).OfType<IPAddress>();

    // Addresses of the egress and cluster interfaces, and the desired ones that are missing.
    private static List<AddressFact> Addresses(NetworkTables tables, Dictionary<string, Link> byName, List<string> egressNames, string clusterName, DesiredState? desired)
    {
        var wanted = desired?.Network.Addresses.Select(a => (a.Interface, a.Address)).ToHashSet();
        var addresses = new List<AddressFact>();
        foreach (var name in egressNames.Append(clusterName))
        {
            if (byName.TryGetValue(name, out var link))
            {
                addresses.AddRange(tables.GlobalAddressesOf(link.Index).Select(a => new AddressFact(name, a.Address, a.PrefixLength, true,
                    wanted is null || name == clusterName ? null : wanted.Contains((name, new Core.Model.InterfaceAddress(a.Address, a.PrefixLength))))));
            }
        }

        var missing = (wanted ?? []).Where(w => !addresses.Any(a => a.Interface == w.Interface && a.Address.Equals(w.Address.Address) && a.PrefixLength == w.Address.PrefixLength));
        addresses.AddRange(missing.Select(w => new AddressFact(w.Interface, w.Address.Address, w.Address.PrefixLength, false, false)).ToList());
        return addresses;
    }

    // Each home's gateways with their neighbour entries.
    private static List<GatewayFact> Gateways(NetworkTables tables, Dictionary<string, Link> byName, List<DesiredHome> homes) =>
        homes.SelectMany(home =>
        {
            var index = byName.TryGetValue(home.Interface, out var link) ? link.Index : (int?)null;
            return home.Gateways.Select(gateway =>
            {
                var entry = index is null ? null : tables.Neighbours.FirstOrDefault(n => n.InterfaceIndex == index && n.Address.Equals(gateway));
                return new GatewayFact(gateway, home.Interface, StateWord(entry?.State ?? NeighborState.None), entry?.LinkLayerAddress, null);
            });
        }).ToList();

    private static InterfaceFact Describe(Link link, string? home) => new()
    {
        Name = link.Name,
        Home = home,
        Kind = link.Kind,
        Owned = link.Alias == Ownership.LinkAlias,
        Mode = link.MacvlanMode?.ToString().ToLowerInvariant(),
        Mtu = link.Mtu,
        Mac = link.MacAddress is { } mac ? HardwareAddress.Format(mac) : null,
        AdminUp = link.IsUp,
        OperState = link.OperationalState.ToString().ToLowerInvariant(),
        Carrier = link.Carrier,
        Counters = link.Statistics is { } s
            ? new CountersFact(s.RxPackets, s.RxBytes, s.TxPackets, s.TxBytes, s.RxErrors, s.TxErrors, s.RxDropped, s.TxDropped)
            : null,
    };

    private static string StateWord(NeighborState state) =>
        state.HasFlag(NeighborState.Reachable) ? "reachable"
        : state.HasFlag(NeighborState.Stale) ? "stale"
        : state.HasFlag(NeighborState.Delay) ? "delay"
        : state.HasFlag(NeighborState.Probe) ? "probe"
        : state.HasFlag(NeighborState.Failed) ? "failed"
        : state.HasFlag(NeighborState.Incomplete) ? "incomplete"
        : state.HasFlag(NeighborState.Permanent) ? "permanent"
        : state.HasFlag(NeighborState.NoArp) ? "noarp"
        : "none";
}
