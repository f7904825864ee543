using System.Net;
using System.Net.NetworkInformation;
using RedirectRouter.Agent.Network;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;
using InterfaceFlags = RedirectRouter.Netlink.Interop.InterfaceFlags;
using System.Net.Sockets;

namespace RedirectRouter.Agent.Tests.Network;

/// <summary>
/// An in-memory router namespace behind the reconciler's netlink verbs, with the kernel's answers that matter to it:
/// replace semantics for addresses and routes, EEXIST for an equal rule, "not found" for a missing object, the
/// default IPv6 metric filled in, and a link's addresses and routes gone with it. Every change is written to
/// <see cref="Calls"/>, and <see cref="FailWhen"/> makes a chosen call fail as the kernel would.
/// </summary>
internal sealed class FakeNetworkDriver : INetworkDriver
{
    private const int ENOENT = 2;
    private const int EEXIST = 17;
    private readonly Dictionary<int, Link> _links = [];
    private readonly List<InterfaceAddress> _addresses = [];
    private readonly List<Route> _routes = [];
    private readonly List<RoutingRule> _rules =
    [
        // The kernel's own rules; their protocol tells the agent that this kernel marks rules (4.17+).
        new() { Family = AddressFamily.InterNetwork, Priority = 0, Table = 255, Protocol = 2 },
        new() { Family = AddressFamily.InterNetwork, Priority = 32766, Table = 254, Protocol = 2 },
        new() { Family = AddressFamily.InterNetworkV6, Priority = 32766, Table = 254, Protocol = 2 },
    ];
    private int _nextIndex = 2;

    /// <summary>Each change, in order, as "verb object" (for example "route replace 10.0.0.0/8 table 101").</summary>
    public List<string> Calls { get; } = [];

    /// <summary>A change whose description this returns true for fails with EIO (neither "exists" nor "not found").</summary>
    public Func<string, bool>? FailWhen { get; set; }

    /// <summary>Conflicts the duplicate-address probe reports, by address.</summary>
    public Dictionary<IPAddress, string> Conflicts { get; } = [];

    public IReadOnlyList<Link> Links => [.. _links.Values];

    public IReadOnlyList<InterfaceAddress> Addresses => [.. _addresses];

    public IReadOnlyList<Route> Routes => [.. _routes];

    public IReadOnlyList<RoutingRule> Rules => [.. _rules];

    /// <summary>Puts a link into the namespace as another party would (no alias unless given), and returns it.</summary>
    public Link AddLink(string name, string? alias = null, MacvlanMode? mode = MacvlanMode.Bridge, bool up = true)
    {
        var link = new Link
        {
            Index = _nextIndex++,
            Name = name,
            Alias = alias,
            Kind = mode is null ? "veth" : "macvlan",
            MacvlanMode = mode,
            Mtu = 1500,
            MacAddress = new PhysicalAddress([0x02, 0, 0, 0, 0, (byte)_nextIndex]),
            Flags = up ? InterfaceFlags.Up : 0,
            OperationalState = up ? OperationalState.Up : OperationalState.Down,
        };
        _links[link.Index] = link;
        return link;
    }

    /// <summary>Puts an address, route or rule in place without it being logged as a change.</summary>
    public void Seed(InterfaceAddress address) => _addresses.Add(address);

    public void Seed(Route route) => _routes.Add(Normalized(route));

    public void Seed(RoutingRule rule) => _rules.Add(rule);

    public IReadOnlyList<Link> LinkList() => [.. _links.Values];

    public Link? LinkGetByName(string name) => _links.Values.FirstOrDefault(l => l.Name == name);

    public Link? LinkGetByIndex(int index) => _links.GetValueOrDefault(index);

    public void LinkRename(int index, string name, string alias)
    {
        Change($"link rename #{index} {name} alias {alias}");
        var link = RequireLink(index);
        if (_links.Values.Any(l => l.Name == name && l.Index != index))
        {
            throw new NetlinkException(EEXIST, "link rename");
        }

        _links[index] = link with { Name = name, Alias = alias };
    }

    public void LinkSetUp(int index)
    {
        Change($"link up {RequireLink(index).Name}");
        _links[index] = RequireLink(index) with { Flags = InterfaceFlags.Up, OperationalState = OperationalState.Up };
    }

    public void LinkSetMtu(int index, int mtu)
    {
        Change($"link mtu {RequireLink(index).Name} {mtu}");
        _links[index] = RequireLink(index) with { Mtu = mtu };
    }

    public void LinkDelete(int index)
    {
        Change($"link delete {RequireLink(index).Name}");
        _links.Remove(index);
        _addresses.RemoveAll(a => a.InterfaceIndex == index);
        _routes.RemoveAll(r => r.OutputInterface == index);
    }

    public IReadOnlyList<InterfaceAddress> AddrList(AddressFamily family, int? interfaceIndex = null) =>
        [.. _addresses.Where(a => (family == AddressFamily.Unspecified || a.Family == family) && (interfaceIndex is null || a.InterfaceIndex == interfaceIndex))];

    public void AddrReplace(InterfaceAddress address)
    {
        Change($"address replace {address.Address}/{address.PrefixLength} on {RequireLink(address.InterfaceIndex).Name}");
        _addresses.RemoveAll(a => a.InterfaceIndex == address.InterfaceIndex && a.Address.Equals(address.Address));
        _addresses.Add(address);
    }

    public void AddrDelete(InterfaceAddress address)
    {
        Change($"address delete {address.Address}/{address.PrefixLength}");
        if (_addresses.RemoveAll(a => a.InterfaceIndex == address.InterfaceIndex && a.Address.Equals(address.Address)) == 0)
        {
            throw new NetlinkException(99, "address delete"); // EADDRNOTAVAIL
        }
    }

    public IReadOnlyList<Route> RouteList(AddressFamily family, uint? table) =>
        [.. _routes.Where(r => r.Family == family && (table is null || r.Table == table))];

    public void RouteReplace(Route route)
    {
        Change($"route replace {route.Destination} table {route.Table}");
        var normalized = Normalized(route);
        _routes.RemoveAll(r => SameKey(r, normalized));
        _routes.Add(normalized);
    }

    public void RouteDelete(Route route)
    {
        Change($"route delete {route.Destination} table {route.Table}");
        var normalized = Normalized(route);
        if (_routes.RemoveAll(r => SameKey(r, normalized) && r.Protocol == route.Protocol) == 0)
        {
            throw new NetlinkException(3, "route delete"); // ESRCH
        }
    }

    public IReadOnlyList<RoutingRule> RuleList(AddressFamily family) => [.. _rules.Where(r => r.Family == family)];

    public void RuleAdd(RoutingRule rule)
    {
        Change($"rule add {rule.Priority}");
        if (_rules.Contains(rule))
        {
            throw new NetlinkException(EEXIST, "rule add");
        }

        _rules.Add(rule);
    }

    public void RuleDelete(RoutingRule rule)
    {
        Change($"rule delete {rule.Priority}");
        var match = _rules.FirstOrDefault(r => r.Family == rule.Family && r.Priority == rule.Priority && r.Table == rule.Table
            && r.FwMark == rule.FwMark && Equals(r.Source, rule.Source) && (rule.Protocol is null || r.Protocol == rule.Protocol));
        if (match is null)
        {
            throw new NetlinkException(ENOENT, "rule delete");
        }

        _rules.Remove(match);
    }

    /// <summary>As a run container without the node's namespace: a macvlan cannot be made (the real driver's words).</summary>
    public bool WithoutNodeNamespace { get; set; }

    public void MacvlanAdd(string name, string? parent, MacvlanMode mode, int? mtu)
    {
        if (WithoutNodeNamespace)
        {
            throw new SetupException("links", $"{name} must be created on {parent ?? "the node's default-route NIC"} in the node's network namespace, but none was given");
        }

        Change($"macvlan add {name} on {parent ?? "default"} {mode}");
        var link = AddLink(name, alias: null, mode, up: false);
        _links[link.Index] = link with { Mtu = mtu ?? 1500 };
    }

    public string? ProbeDuplicateAddress(int linkIndex, PhysicalAddress mac, IPAddress address, TimeSpan window, int count) =>
        Conflicts.GetValueOrDefault(address);

    private void Change(string call)
    {
        Calls.Add(call);
        if (FailWhen?.Invoke(call) == true)
        {
            throw new NetlinkException(5, call); // EIO: neither "exists" nor "not found"
        }
    }

    private Link RequireLink(int index) =>
        _links.GetValueOrDefault(index) ?? throw new NetlinkException(19, "no such device"); // ENODEV

    // The kernel fills in the default metric (0 for IPv4, 1024 for IPv6) and reports it.
    private static Route Normalized(Route route) =>
        route.Metric is null ? route with { Metric = route.Family == AddressFamily.InterNetworkV6 ? 1024u : 0u } : route;

    private static bool SameKey(Route a, Route b) =>
        a.Family == b.Family && a.Table == b.Table && a.Destination.Equals(b.Destination) && (a.Metric ?? 0) == (b.Metric ?? 0);
}
