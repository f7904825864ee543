using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netlink;
using System.Net.Sockets;
using NlAddress = RedirectRouter.Netlink.Model.InterfaceAddress;
using NlLink = RedirectRouter.Netlink.Model.Link;
using NlRoute = RedirectRouter.Netlink.Model.Route;
using NlRule = RedirectRouter.Netlink.Model.RoutingRule;

namespace RedirectRouter.Agent.Network;

/// <summary>
/// Reads what the router's namespace holds of the objects the agent manages, in the planner's terms:
/// the desired links (by name) and links marked as ours, their global addresses, routes with our
/// protocol on those links, and the rules <see cref="Ownership.IsOwnedRule"/> calls ours. Everything else
/// in the namespace (a foreign rule in our priority range, a foreign route with our protocol on a link we
/// do not manage) is not looked at, so it is never changed.
/// </summary>
public static class NetworkObserver
{
    /// <summary>The observed state, plus the kernel links by name (for index lookups by the applier).</summary>
    public static (NetworkState State, IReadOnlyDictionary<string, NlLink> Links) Observe(NetlinkHandle handle, NetworkState desired) =>
        Observe(new NetlinkNetworkDriver(handle), desired);

    /// <summary>The observed state, read through <paramref name="handle"/>, plus the kernel links by name.</summary>
    public static (NetworkState State, IReadOnlyDictionary<string, NlLink> Links) Observe(INetworkDriver handle, NetworkState desired)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Observe(
            handle.LinkList(),
            handle.AddrList(AddressFamily.Unspecified),
            handle.RouteList(AddressFamily.InterNetwork, table: null).Concat(handle.RouteList(AddressFamily.InterNetworkV6, table: null)).ToList(),
            handle.RuleList(AddressFamily.InterNetwork).Concat(handle.RuleList(AddressFamily.InterNetworkV6)).ToList(),
            desired);
    }

    /// <summary>
    /// The observed state from tables already dumped (every link, address, route of any table and rule of
    /// both families), so that a reader that needs them for more than this (diag) dumps each table once.
    /// </summary>
    public static (NetworkState State, IReadOnlyDictionary<string, NlLink> Links) Observe(
        IReadOnlyList<NlLink> allLinks, IReadOnlyList<NlAddress> allAddresses, IReadOnlyList<NlRoute> allRoutes, IReadOnlyList<NlRule> dumpedRules, NetworkState desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var desiredLinks = desired.Links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var managed = allLinks
            .Where(l => desiredLinks.ContainsKey(l.Name) || l.Alias == Ownership.LinkAlias)
            .ToDictionary(l => l.Name, StringComparer.Ordinal);

        var links = managed.Values.Select(l =>
        {
            desiredLinks.TryGetValue(l.Name, out var wanted);
            var origin = l.Alias == Ownership.LinkAlias ? LinkOrigin.Create : LinkOrigin.Adopt;
            // A macvlan's mode is fixed at creation; an adopted link of another kind keeps the wanted mode (never re-made).
            var mode = KernelModelMapping.FromKernel(l.MacvlanMode) ?? wanted?.Mode ?? MacvlanMode.Bridge;
            return new LinkSpec(l.Name, null, mode, l.Mtu, origin, wanted?.Home ?? "", l.IsUp);
        }).ToValueList();

        var names = managed.Values.ToDictionary(l => l.Index, l => l.Name);
        var addresses = allAddresses
            .Where(a => names.ContainsKey(a.InterfaceIndex) && KernelModelMapping.IsManageable(a.Address))
            .Select(a => new AddressSpec(names[a.InterfaceIndex], new InterfaceAddress(a.Address, a.PrefixLength)))
            .ToValueList();

        var routes = allRoutes
            .Where(r => r.Protocol == Ownership.RouteProtocol)
            .Select(r => KernelModelMapping.FromKernel(r, names))
            .OfType<RouteEntry>()
            .ToValueList();

        var marked = Ownership.KernelMarksRules(dumpedRules);
        var rules = dumpedRules
            .Where(r => Ownership.IsOwnedRule(r, marked, desired.Rules))
            .Select(KernelModelMapping.FromKernel)
            .ToValueList();

        return (new NetworkState(links, addresses, routes, rules), managed);
    }

    /// <summary>The desired state with kernel defaults filled in (route metrics), so it compares equal to what is observed.</summary>
    public static NetworkState Normalize(NetworkState desired) =>
        desired with { Routes = desired.Routes.Select(KernelModelMapping.Normalize).ToValueList() };
}
