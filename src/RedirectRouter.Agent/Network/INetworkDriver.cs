using System.Net.Sockets;
using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Network;

/// <summary>
/// The netlink verbs the network reconciler uses, and nothing more: reads and changes in the router's namespace,
/// plus the two steps that reach outside it (creating a macvlan on the node's parent NIC, and the duplicate-address
/// probe). <see cref="NetlinkNetworkDriver"/> carries them to the kernel; tests use an in-memory one.
/// </summary>
public interface INetworkDriver
{
    /// <summary>Every link in the router's namespace.</summary>
    IReadOnlyList<Link> LinkList();

    /// <summary>The link named <paramref name="name"/>, or null.</summary>
    Link? LinkGetByName(string name);

    /// <summary>The link with index <paramref name="index"/>, or null.</summary>
    Link? LinkGetByIndex(int index);

    /// <summary>Gives a link its name and alias in one request.</summary>
    void LinkRename(int index, string name, string alias);

    /// <summary>Sets a link up.</summary>
    void LinkSetUp(int index);

    /// <summary>Sets a link's MTU.</summary>
    void LinkSetMtu(int index, int mtu);

    /// <summary>Deletes a link.</summary>
    void LinkDelete(int index);

    /// <summary>The addresses of one family (or all), optionally of one link.</summary>
    IReadOnlyList<InterfaceAddress> AddrList(AddressFamily family, int? interfaceIndex = null);

    /// <summary>Adds or replaces an address.</summary>
    void AddrReplace(InterfaceAddress address);

    /// <summary>Deletes an address.</summary>
    void AddrDelete(InterfaceAddress address);

    /// <summary>The routes of one family in one table (null: every table).</summary>
    IReadOnlyList<Route> RouteList(AddressFamily family, uint? table);

    /// <summary>Adds or replaces a route.</summary>
    void RouteReplace(Route route);

    /// <summary>Deletes a route.</summary>
    void RouteDelete(Route route);

    /// <summary>The policy rules of one family.</summary>
    IReadOnlyList<RoutingRule> RuleList(AddressFamily family);

    /// <summary>Adds a policy rule (an equal rule already there is an error the caller handles).</summary>
    void RuleAdd(RoutingRule rule);

    /// <summary>Deletes a policy rule.</summary>
    void RuleDelete(RoutingRule rule);

    /// <summary>
    /// Creates a macvlan named <paramref name="name"/> on <paramref name="parent"/> (null: the node's default-route
    /// NIC) in the node's namespace and moves it into the router's.
    /// </summary>
    /// <exception cref="SetupException">No node namespace was given, or the parent cannot be found.</exception>
    void MacvlanAdd(string name, string? parent, MacvlanMode mode, int? mtu);

    /// <summary>Asks the link's segment whether another host holds <paramref name="address"/>; the answer, or null.</summary>
    string? ProbeDuplicateAddress(int linkIndex, PhysicalAddress mac, IPAddress address, TimeSpan window, int count);
}
