using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Validation;

namespace RedirectRouter.Core.Planning;

/// <summary>
/// Turns a valid configuration into the desired state. Deterministic: the same configuration always
/// gives the same state, in configuration order. With one home everything goes in the main table, as
/// the OpenShift script does; with several, each home gets its own table, selected by firewall mark
/// (set for redirected traffic) or by source address (for the router's own traffic).
/// </summary>
public static class Planner
{
    /// <summary>The main routing table (<see cref="RouteTable.MainId"/>).</summary>
    public const int MainTable = RouteTable.MainId;

    /// <summary>Home i uses table FirstHomeTable + i (multi-home only; <see cref="RouteTable.ForHome"/>).</summary>
    public const int FirstHomeTable = RouteTable.FirstHomeId;

    /// <summary>Home i is marked FirstMark + i (multi-home only); clear of kube-proxy's 0x4000/0x8000 bits.</summary>
    public const uint FirstMark = 0x2000;

    /// <summary>Priority of the fwmark rule of home i: FwmarkRulePriority + i.</summary>
    public const int FwmarkRulePriority = 1000;

    /// <summary>Priority of the from-address rules of home i: SourceRulePriority + i.</summary>
    public const int SourceRulePriority = 1100;

    /// <summary>Plans the desired state of a configuration that passed validation.</summary>
    public static DesiredState Plan(RouterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var multiHome = config.Homes.Count > 1;
        var links = new List<LinkSpec>();
        var addresses = new List<AddressSpec>();
        var routes = new List<RouteEntry>();
        var rules = new List<PolicyRule>();
        var routing = new List<HomeRouting>();
        var snat = new List<SnatEntry>();

        for (var i = 0; i < config.Homes.Count; i++)
        {
            var home = config.Homes[i];
            var table = multiHome ? RouteTable.ForHome(i) : RouteTable.Main;
            uint? mark = multiHome ? FirstMark + (uint)i : null;
            links.Add(new LinkSpec(home.InterfaceName, home.Parent, home.Mode, home.Mtu, home.Origin, home.Name));
            addresses.AddRange(home.Addresses.Select(a => new AddressSpec(home.InterfaceName, a)));
            routing.Add(new HomeRouting(home.Name, home.InterfaceName, mark, table));
            snat.AddRange(Families(home).Select(f => new SnatEntry(home.Name, home.InterfaceName, home.SourceFor(f)!.Address)));

            routes.AddRange(HomeRoutes(home, table, connectedRoutes: multiHome));
            if (multiHome && i == 0)
            {
                // The router's own traffic (and anything unmarked) leaves by the primary home.
                routes.AddRange(HomeRoutes(home, RouteTable.Main, connectedRoutes: false));
            }
            if (multiHome)
            {
                foreach (var family in Families(home))
                {
                    rules.Add(new PolicyRule(FwmarkRulePriority + i, family, mark, null, table));
                }
                rules.AddRange(home.Addresses.Select(a =>
                    new PolicyRule(SourceRulePriority + i, a.Family, null, AddressText.HostNetwork(a.Address), table)));
            }
        }

        var dnat = config.Rules.Select(r => new DnatEntry(r.Protocol, r.LocalPorts, r.Destination, r.TargetPorts, HomeOf(config, r.Destination, r.Home)));
        var fallbacks = config.Fallback.All.Select(f => new FallbackDnat(f.AddressFamily, f, HomeOf(config, f, null)));
        var nat = new NatModel(config.Settings.ClusterInterface, dnat.ToValueList(), fallbacks.ToValueList(), snat.ToValueList(), routing.ToValueList())
        {
            LocalTcpPorts = ListenEndpoint.PortOf(config.Settings.MetricsAddress) is { } port ? [port] : ValueList<int>.Empty,
        };
        return new DesiredState(new NetworkState(links.ToValueList(), addresses.ToValueList(), routes.ToValueList(), rules.ToValueList()), nat);
    }

    private static string HomeOf(RouterConfig config, IPAddress destination, string? explicitHome) =>
        HomeSelector.Select(config, destination, explicitHome)?.Name
        ?? throw new ArgumentException($"no home for {destination}: validate the configuration first", nameof(config));

    private static IEnumerable<AddressFamily> Families(Home home) =>
        home.Addresses.Select(a => a.Family).Distinct().Order();

    private static IEnumerable<RouteEntry> HomeRoutes(Home home, RouteTable table, bool connectedRoutes)
    {
        var device = home.InterfaceName;
        if (connectedRoutes)
        {
            // The kernel puts the connected subnet in the main table only; a home table needs its own copy.
            foreach (var address in home.Addresses.Where(a => a.PrefixLength < AddressText.MaxPrefix(a.Family)))
            {
                yield return new RouteEntry(table, address.Subnet, device, [], null, RouteScope.Link, address.Address);
            }
        }
        foreach (var gateway in home.Gateways)
        {
            // As egress-router.sh: "ip route add GW/32 dev macvlan0", so the gateway is reachable whatever the prefix.
            yield return new RouteEntry(table, AddressText.HostNetwork(gateway), device, [], null, RouteScope.Link, null);
        }
        foreach (var gateway in home.Gateways)
        {
            yield return new RouteEntry(table, AddressText.DefaultNetwork(gateway.AddressFamily), device, [new NextHop(gateway)], null,
                RouteScope.Universe, home.SourceFor(gateway.AddressFamily)?.Address);
        }
        foreach (var route in home.Routes)
        {
            var family = route.Destination.BaseAddress.AddressFamily;
            yield return new RouteEntry(table, route.Destination, device, route.NextHops, route.Metric,
                route.NextHops.Count == 0 ? RouteScope.Link : RouteScope.Universe, home.SourceFor(family)?.Address);
        }
    }
}
