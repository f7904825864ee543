using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using NlMacvlanMode = RedirectRouter.Netlink.Model.MacvlanMode;
using NlNextHop = RedirectRouter.Netlink.Model.NextHop;
using NlRoute = RedirectRouter.Netlink.Model.Route;
using NlRule = RedirectRouter.Netlink.Model.RoutingRule;

namespace RedirectRouter.Agent.Network;

/// <summary>Translates between the planner's network model and the netlink library's objects.</summary>
public static class KernelModelMapping
{
    /// <summary>The metric the kernel gives a route added without one: 0 for IPv4, 1024 for IPv6.</summary>
    public static int DefaultMetric(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 1024 : 0;

    /// <summary>The route as the kernel will report it (the default metric filled in), so desired and observed compare equal.</summary>
    public static RouteEntry Normalize(RouteEntry route) =>
        route.Metric is null ? route with { Metric = DefaultMetric(route.Family) } : route;

    /// <summary>The netlink macvlan mode.</summary>
    public static NlMacvlanMode ToKernel(MacvlanMode mode) => mode switch
    {
        MacvlanMode.Bridge => NlMacvlanMode.Bridge,
        MacvlanMode.Private => NlMacvlanMode.Private,
        MacvlanMode.Vepa => NlMacvlanMode.Vepa,
        MacvlanMode.Passthru => NlMacvlanMode.Passthru,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The planner's macvlan mode, or null for a mode the planner does not use.</summary>
    public static MacvlanMode? FromKernel(NlMacvlanMode? mode) => mode switch
    {
        NlMacvlanMode.Bridge => MacvlanMode.Bridge,
        NlMacvlanMode.Private => MacvlanMode.Private,
        NlMacvlanMode.Vepa => MacvlanMode.Vepa,
        NlMacvlanMode.Passthru => MacvlanMode.Passthru,
        _ => null,
    };

    /// <summary>The netlink route for a planned route out of interface <paramref name="interfaceIndex"/>.</summary>
    public static NlRoute ToKernel(RouteEntry route, int interfaceIndex)
    {
        var single = route.NextHops.Count == 1 ? route.NextHops[0] : null;
        return new NlRoute
        {
            Destination = route.Destination,
            Table = (uint)route.Table,
            Protocol = Ownership.RouteProtocol,
            Scope = route.Scope == RouteScope.Link ? NlRoute.LinkScope : NlRoute.UniverseScope,
            Metric = route.Metric is { } metric ? (uint)metric : null,
            Gateway = single?.Gateway,
            OutputInterface = interfaceIndex,
            PreferredSource = route.PreferredSource,
            NextHops = route.NextHops.Count > 1
                ? route.NextHops.Select(h => new NlNextHop(h.Gateway, interfaceIndex, h.Weight)).ToArray()
                : [],
        };
    }

    /// <summary>The planned route a kernel route corresponds to, or null when its interface is not known by name.</summary>
    public static RouteEntry? FromKernel(NlRoute route, IReadOnlyDictionary<int, string> interfaceNames)
    {
        var index = route.OutputInterface ?? route.NextHops.FirstOrDefault()?.InterfaceIndex;
        if (index is null || !interfaceNames.TryGetValue(index.Value, out var name))
        {
            return null;
        }

        ValueList<Core.Model.NextHop> hops = route.NextHops.Count > 0
            ? route.NextHops.Where(h => h.Gateway is not null).Select(h => new Core.Model.NextHop(h.Gateway!, h.Weight)).ToValueList()
            : route.Gateway is { } gateway ? [new Core.Model.NextHop(gateway)] : [];
        return new RouteEntry(
            (int)route.Table,
            route.Destination,
            name,
            hops,
            (int)(route.Metric ?? 0),
            ScopeOf(route, hops.Count),
            route.PreferredSource);
    }

    // IPv6 routes carry no scope (the kernel reports universe for all), so a route without a gateway is on-link.
    private static RouteScope ScopeOf(NlRoute route, int hopCount) =>
        route.Family == AddressFamily.InterNetworkV6
            ? (hopCount == 0 ? RouteScope.Link : RouteScope.Universe)
            : (route.Scope == NlRoute.LinkScope ? RouteScope.Link : RouteScope.Universe);

    /// <summary>The netlink rule for a planned policy rule.</summary>
    public static NlRule ToKernel(PolicyRule rule) => new()
    {
        Family = rule.Family,
        Priority = (uint)rule.Priority,
        FwMark = rule.FirewallMark,
        Source = rule.From,
        Table = (uint)rule.Table,
        Protocol = Ownership.RuleProtocol,
    };

    /// <summary>The planned policy rule a kernel rule corresponds to.</summary>
    public static PolicyRule FromKernel(NlRule rule) => new(
        (int)(rule.Priority ?? 0),
        rule.Family,
        rule.FwMark,
        rule.Source,
        (int)rule.Table);

    /// <summary>True for addresses the agent manages: not IPv6 link-local ones the kernel adds by itself.</summary>
    public static bool IsManageable(IPAddress address) => !address.IsIPv6LinkLocal;
}
