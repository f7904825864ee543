using System.Net;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Interop;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Lab;

/// <summary>
/// The lab: five namespaces wired with veth pairs, and the egress router's macvlan created on the node's
/// NIC and placed into the router namespace, all through our netlink layer.
/// <code>
///  rrlab-client eth0 10.128.0.10/24 ===veth=== eth0 10.128.0.2/24 rrlab-router
///                                               macvlan0 192.168.12.99/32 (parent nic0 in rrlab-node)
///  rrlab-node   nic0 192.168.12.10/24 ===veth=== eth0 192.168.12.1/24 rrlab-gw eth1 172.16.100.1/24
///  rrlab-dst    eth0 172.16.100.25/24 ===veth=== rrlab-gw eth1
/// </code>
/// </summary>
public static class LabTopology
{
    public const string Prefix = "rrlab-";
    public const string Client = Prefix + "client";
    public const string Router = Prefix + "router";
    public const string Node = Prefix + "node";
    public const string Gateway = Prefix + "gw";
    public const string Destination = Prefix + "dst";

    public static readonly string[] All = [Client, Router, Node, Gateway, Destination];

    public static void Up(TextWriter output)
    {
        Down(output, quiet: true);
        var spaces = All.ToDictionary(n => n, NetNamespace.Create);
        try
        {
            Build(spaces, output);
        }
        catch
        {
            foreach (var ns in spaces.Values)
            {
                ns.Dispose();
            }

            Down(output, quiet: true);
            throw;
        }

        foreach (var ns in spaces.Values)
        {
            ns.Dispose();
        }
    }

    public static void Down(TextWriter output, bool quiet = false)
    {
        foreach (var name in All.Where(n => NetNamespace.ListNames().Contains(n)))
        {
            NetNamespace.Delete(name);
            if (!quiet)
            {
                output.WriteLine($"removed namespace {name}");
            }
        }
    }

    private static void Build(Dictionary<string, NetNamespace> ns, TextWriter output)
    {
        foreach (var (name, space) in ns)
        {
            using var h = NetlinkHandle.OpenIn(space);
            h.LinkSetUp(h.LinkGetByName("lo")!.Index);
            output.WriteLine($"created namespace {name}");
        }

        Pair(ns[Client], "eth0", ns[Router], "eth0");
        Pair(ns[Node], "nic0", ns[Gateway], "eth0");
        Pair(ns[Destination], "eth0", ns[Gateway], "eth1");

        Configure(ns[Client], "eth0", "10.128.0.10/24", defaultVia: null, extra: ("172.16.100.0/24", "10.128.0.2"));
        Configure(ns[Router], "eth0", "10.128.0.2/24", defaultVia: null);
        Configure(ns[Node], "nic0", "192.168.12.10/24", defaultVia: null);
        Configure(ns[Gateway], "eth0", "192.168.12.1/24", defaultVia: null);
        Configure(ns[Gateway], "eth1", "172.16.100.1/24", defaultVia: null);
        Configure(ns[Destination], "eth0", "172.16.100.25/24", defaultVia: "172.16.100.1");
        ns[Gateway].Run(() => File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1"));
        ns[Router].Run(() => File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1"));
        output.WriteLine("wired client-router, node-gateway and gateway-destination with veth pairs");

        // The egress router's own step: a macvlan on the node's NIC, created in the node namespace and
        // placed straight into the router's, then the egress IP and the routes via the gateway.
        using (var node = NetlinkHandle.OpenIn(ns[Node]))
        {
            var nic = node.LinkGetByName("nic0")!;
            node.LinkAdd(new MacvlanLinkSpec { Name = "macvlan0", ParentIndex = nic.Index, Mode = MacvlanMode.Bridge, TargetNamespace = ns[Router] });
        }

        using var router = NetlinkHandle.OpenIn(ns[Router]);
        var macvlan = router.LinkGetByName("macvlan0")!;
        router.AddrReplace(new InterfaceAddress { InterfaceIndex = macvlan.Index, Address = IPAddress.Parse("192.168.12.99"), PrefixLength = 32 });
        router.LinkSetUp(macvlan.Index);
        router.RouteReplace(new Route { Destination = IPNetwork.Parse("192.168.12.1/32"), OutputInterface = macvlan.Index });
        router.RouteReplace(new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("192.168.12.1"), OutputInterface = macvlan.Index });
        output.WriteLine("created macvlan0 on rrlab-node/nic0 inside rrlab-router, egress IP 192.168.12.99, default via 192.168.12.1");
    }

    private static void Pair(NetNamespace left, string leftName, NetNamespace right, string rightName)
    {
        using var h = NetlinkHandle.OpenIn(left);
        // Create under a temporary name so the peer's final name cannot clash inside the left namespace.
        var temporary = $"tmp{Environment.ProcessId % 100000}";
        h.LinkAdd(new VethLinkSpec { Name = leftName, PeerName = temporary, PeerNamespace = right });
        using var r = NetlinkHandle.OpenIn(right);
        var peer = r.LinkGetByName(temporary)!;
        r.LinkSetName(peer.Index, rightName);
    }

    private static void Configure(NetNamespace ns, string dev, string cidr, string? defaultVia, (string Prefix, string Via)? extra = null)
    {
        using var h = NetlinkHandle.OpenIn(ns);
        var link = h.LinkGetByName(dev)!;
        var network = cidr.Split('/');
        h.AddrReplace(new InterfaceAddress { InterfaceIndex = link.Index, Address = IPAddress.Parse(network[0]), PrefixLength = int.Parse(network[1]) });
        h.LinkSetUp(link.Index);
        if (defaultVia is not null)
        {
            h.RouteReplace(new Route { Destination = IPNetwork.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse(defaultVia), OutputInterface = link.Index });
        }

        if (extra is { } route)
        {
            h.RouteReplace(new Route { Destination = IPNetwork.Parse(route.Prefix), Gateway = IPAddress.Parse(route.Via), OutputInterface = link.Index });
        }
    }

    public static void Show(TextWriter output)
    {
        foreach (var name in All)
        {
            if (!NetNamespace.ListNames().Contains(name))
            {
                output.WriteLine($"{name}: (absent)");
                continue;
            }

            using var ns = NetNamespace.OpenName(name);
            using var h = NetlinkHandle.OpenIn(ns);
            output.WriteLine($"{name}:");
            var links = h.LinkList();
            foreach (var link in links.Where(l => l.Name != "lo"))
            {
                var addresses = h.AddrList(AddressFamily.Inet, link.Index).Select(a => $"{a.Address}/{a.PrefixLength}");
                output.WriteLine($"  link  {link}{(link.ParentInOtherNamespace ? " (its peer or parent is in another namespace)" : "")}  {string.Join(' ', addresses)}");
            }

            foreach (var route in h.RouteList(AddressFamily.Inet))
            {
                var dev = links.FirstOrDefault(l => l.Index == route.OutputInterface)?.Name ?? "?";
                output.WriteLine($"  route {route.ToString().Replace($"dev #{route.OutputInterface}", $"dev {dev}")}");
            }
        }
    }
}
