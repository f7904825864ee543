using System.Net.Sockets;
using RedirectRouter.Agent.Network;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Tells a node's own network namespace from a router pod's, so that <c>cleanup</c> typed on a node does not act on
/// the node. A namespace looks like a node's when it holds a parent NIC of the configuration, or when a default
/// route leaves by a link that redirect-router did not make and whose lower side is in this very namespace (a
/// NIC, bond, bridge or VLAN of the node). A pod's own interfaces (veth or macvlan ends) have their other side
/// in another namespace, and a router's default route runs over its own macvlan.
/// </summary>
public static class NodeNamespaceGuard
{
    /// <summary>Why the namespace of <paramref name="handle"/> looks like a node's; null when it does not.</summary>
    public static string? WhyNodeNamespace(NetlinkHandle handle, IReadOnlyCollection<string> parentNics)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(parentNics);
        var links = handle.LinkList();
        if (links.FirstOrDefault(l => parentNics.Contains(l.Name)) is { } parent)
        {
            return $"it holds {parent.Name}, a parent NIC of the configuration, so it is the node's namespace";
        }

        var byIndex = links.ToDictionary(l => l.Index);
        var defaults = handle.RouteList(AddressFamily.InterNetwork, table: null).Concat(handle.RouteList(AddressFamily.InterNetworkV6, table: null))
            .Where(r => r.Destination.PrefixLength == 0 && r.Table != Route.LocalTable && r.Type == Route.UnicastType);
        foreach (var route in defaults)
        {
            var device = route.OutputInterface ?? route.NextHops.FirstOrDefault()?.InterfaceIndex;
            if (device is { } index && byIndex.TryGetValue(index, out var link) && link.Alias != Ownership.LinkAlias && !link.ParentInOtherNamespace)
            {
                var family = route.Family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                return $"its {family} default route leaves by {link.Name}, a link redirect-router did not make that is rooted in this namespace " +
                    "(a NIC, bond or bridge, as on a node; a router pod's default route runs over its own macvlan)";
            }
        }

        return null;
    }
}
