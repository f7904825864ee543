using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;
using System.Net.Sockets;

namespace RedirectRouter.Agent.Network;

/// <summary>The network verbs carried to the kernel through the router's (and the node's) netlink handles.</summary>
public sealed class NetlinkNetworkDriver : INetworkDriver
{
    private readonly RouterNamespaces? _namespaces;

    /// <summary>Creates the driver over the router's namespaces (which stay the caller's to dispose).</summary>
    public NetlinkNetworkDriver(RouterNamespaces namespaces)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        _namespaces = namespaces;
        Own = namespaces.OwnHandle;
    }

    /// <summary>Creates a driver that reads and changes one namespace through <paramref name="handle"/> (no node namespace: it creates no macvlans).</summary>
    public NetlinkNetworkDriver(NetlinkHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Own = handle;
    }

    private NetlinkHandle Own { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Link> LinkList() => Own.LinkList();

    /// <inheritdoc/>
    public Link? LinkGetByName(string name) => Own.LinkGetByName(name);

    /// <inheritdoc/>
    public Link? LinkGetByIndex(int index) => Own.LinkGetByIndex(index);

    /// <inheritdoc/>
    public void LinkRename(int index, string name, string alias) =>
        Own.LinkChange(new LinkChange(index) { Name = name, Alias = alias });

    /// <inheritdoc/>
    public void LinkSetUp(int index) => Own.LinkSetUp(index);

    /// <inheritdoc/>
    public void LinkSetMtu(int index, int mtu) => Own.LinkSetMtu(index, mtu);

    /// <inheritdoc/>
    public void LinkDelete(int index) => Own.LinkDelete(index);

    /// <inheritdoc/>
    public IReadOnlyList<InterfaceAddress> AddrList(AddressFamily family, int? interfaceIndex = null) => Own.AddrList(family, interfaceIndex);

    /// <inheritdoc/>
    public void AddrReplace(InterfaceAddress address) => Own.AddrReplace(address);

    /// <inheritdoc/>
    public void AddrDelete(InterfaceAddress address) => Own.AddrDelete(address);

    /// <inheritdoc/>
    public IReadOnlyList<Route> RouteList(AddressFamily family, uint? table) => Own.RouteList(family, table);

    /// <inheritdoc/>
    public void RouteReplace(Route route) => Own.RouteReplace(route);

    /// <inheritdoc/>
    public void RouteDelete(Route route) => Own.RouteDelete(route);

    /// <inheritdoc/>
    public IReadOnlyList<RoutingRule> RuleList(AddressFamily family) => Own.RuleList(family);

    /// <inheritdoc/>
    public void RuleAdd(RoutingRule rule) => Own.RuleAdd(rule);

    /// <inheritdoc/>
    public void RuleDelete(RoutingRule rule) => Own.RuleDelete(rule);

    /// <inheritdoc/>
    public void MacvlanAdd(string name, string? parent, MacvlanMode mode, int? mtu)
    {
        var host = _namespaces?.HostHandle ?? throw new SetupException("links",
            $"{name} must be created on {parent ?? "the node's default-route NIC"} in the node's network namespace, but none was given: " +
            "mount the node's /proc/1/ns/net and pass --host-netns PATH (or EGRESS_ROUTER_HOST_NETNS)");
        var parentName = parent ?? DefaultRouteInterface(host);
        var parentLink = host.LinkGetByName(parentName) ?? throw new SetupException("links",
            $"the parent NIC {parentName} does not exist in the node's namespace {_namespaces!.Host!.Path}");
        host.LinkAdd(new MacvlanLinkSpec
        {
            Name = name,
            ParentIndex = parentLink.Index,
            Mode = mode,
            Mtu = mtu,
            TargetNamespace = _namespaces.Own,
        });
    }

    /// <inheritdoc/>
    public string? ProbeDuplicateAddress(int linkIndex, PhysicalAddress mac, IPAddress address, TimeSpan window, int count) =>
        DuplicateAddressProbe.Probe(_namespaces?.Own, linkIndex, mac, address, window, count)?.ToString();

    private static string DefaultRouteInterface(NetlinkHandle host)
    {
        var defaultRoute = host.RouteList(AddressFamily.InterNetwork)
            .Where(r => r.Destination.PrefixLength == 0)
            .OrderBy(r => r.Metric ?? 0)
            .FirstOrDefault();
        var index = defaultRoute?.OutputInterface ?? defaultRoute?.NextHops.FirstOrDefault()?.InterfaceIndex
            ?? throw new SetupException("links", "the node's namespace has no IPv4 default route, so the parent NIC cannot be chosen: set it explicitly");
        return host.LinkGetByIndex(index)?.Name ?? throw new SetupException("links", $"the default route's interface #{index} vanished");
    }
}
