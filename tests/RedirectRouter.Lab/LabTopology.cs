using System.Net;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Lab;

/// <summary>
/// The reference topology, built through our netlink layer (IPv4 and IPv6):
/// <code>
///  client  eth0 10.128.0.10/24 fd00:128::10 ==veth== eth0 10.128.0.2/24 fd00:128::2  router (the egress router pod)
///  node    nic0 --veth-- segment br0 --veth-- eth0 192.168.12.1/24 fd00:12::1   gateway
///          nic1 =========veth=============== eth2 192.168.13.1/24 fd00:13::1   gateway
///  dst     eth0 172.16.100.25,.26/24 fd00:100::25,::26 ==veth== eth1 172.16.100.1/24 fd00:100::1 gateway
/// </code>
/// The router gets no egress interface here: the agent creates its macvlans on nic0/nic1 from the node's
/// namespace. The client routes the destination network to the router; the destination routes
/// everything to the gateway, which forwards.
/// </summary>
public static class LabTopology
{
    /// <summary>The egress addresses the lab's configurations use.</summary>
    public const string EgressIPv4 = "192.168.12.99";

    /// <summary>The names the lab tool uses.</summary>
    public static string[] Names(string prefix) =>
        new[] { "client", "router", "node", "seg", "gw", "dst" }.Select(r => prefix + r).ToArray();

    /// <summary>Creates the namespaces <c>PREFIX{client,router,node,seg,gw,dst}</c> and builds the topology in them.</summary>
    public static LabNamespaces Up(string prefix, TextWriter output)
    {
        Down(prefix, output, quiet: true);
        var created = new List<LabHost>();
        try
        {
            foreach (var name in Names(prefix))
            {
                created.Add(new LabHost(name, NetNamespace.Create(name)));
            }

            var lab = new LabNamespaces(created[0], created[1], created[2], created[3], created[4], created[5]);
            Build(lab);
            output.WriteLine($"lab up: {string.Join(", ", Names(prefix))}");
            return lab;
        }
        catch
        {
            foreach (var host in created)
            {
                host.Handle.Dispose();
            }

            Down(prefix, output, quiet: true);
            throw;
        }
    }

    /// <summary>Removes the lab's namespaces (those that exist).</summary>
    public static void Down(string prefix, TextWriter output, bool quiet = false)
    {
        var existing = NetNamespace.ListNames();
        foreach (var name in Names(prefix).Where(existing.Contains))
        {
            NetNamespace.Delete(name);
            if (!quiet)
            {
                output.WriteLine($"removed namespace {name}");
            }
        }
    }

    /// <summary>Wires and addresses the lab in namespaces that exist and are empty.</summary>
    public static void Build(LabNamespaces lab)
    {
        foreach (var host in lab.All)
        {
            using var h = NetlinkHandle.OpenIn(host.Handle);
            h.LinkSetUp(h.LinkGetByName("lo")!.Index);
        }

        Pair(lab.Client, "eth0", lab.Router, "eth0");
        Pair(lab.Node, "nic0", lab.Segment, "node0");
        Pair(lab.Gateway, "eth0", lab.Segment, "gw0");
        Pair(lab.Node, "nic1", lab.Gateway, "eth2");
        Pair(lab.Destination, "eth0", lab.Gateway, "eth1");

        using (var segment = NetlinkHandle.OpenIn(lab.Segment.Handle))
        {
            segment.LinkAdd(new BridgeLinkSpec { Name = "br0" });
            var bridge = segment.LinkGetByName("br0")!;
            foreach (var port in new[] { "node0", "gw0" })
            {
                var link = segment.LinkGetByName(port)!;
                segment.LinkSetMaster(link.Index, bridge.Index);
                segment.LinkSetUp(link.Index);
            }

            segment.LinkSetUp(bridge.Index);
        }

        Configure(lab.Client, "eth0", ["10.128.0.10/24", "fd00:128::10/64"],
            routes: [("172.16.100.0/24", "10.128.0.2"), ("fd00:100::/64", "fd00:128::2")]);
        Configure(lab.Router, "eth0", ["10.128.0.2/24", "fd00:128::2/64"], routes: []);
        Configure(lab.Node, "nic0", ["192.168.12.10/24"], routes: []);
        Configure(lab.Node, "nic1", ["192.168.13.10/24"], routes: []);
        Configure(lab.Gateway, "eth0", ["192.168.12.1/24", "fd00:12::1/64"], routes: []);
        Configure(lab.Gateway, "eth2", ["192.168.13.1/24", "fd00:13::1/64"], routes: []);
        Configure(lab.Gateway, "eth1", ["172.16.100.1/24", "fd00:100::1/64"], routes: []);
        Configure(lab.Destination, "eth0", ["172.16.100.25/24", "172.16.100.26/24", "fd00:100::25/64", "fd00:100::26/64"],
            routes: [("0.0.0.0/0", "172.16.100.1"), ("::/0", "fd00:100::1")]);
        lab.Gateway.Handle.Run(() =>
        {
            File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1");
            File.WriteAllText("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        });
    }

    private static void Pair(LabHost left, string leftName, LabHost right, string rightName)
    {
        using var h = NetlinkHandle.OpenIn(left.Handle);
        // Create the peer under a temporary name, so its final name cannot clash in the left namespace.
        var temporary = $"tmp-{Guid.NewGuid():N}"[..15];
        h.LinkAdd(new VethLinkSpec { Name = leftName, PeerName = temporary, PeerNamespace = right.Handle });
        using var r = NetlinkHandle.OpenIn(right.Handle);
        r.LinkSetName(r.LinkGetByName(temporary)!.Index, rightName);
    }

    private static void Configure(LabHost host, string dev, string[] cidrs, (string Prefix, string Via)[] routes)
    {
        using var h = NetlinkHandle.OpenIn(host.Handle);
        var link = h.LinkGetByName(dev)!;
        foreach (var cidr in cidrs)
        {
            var network = cidr.Split('/');
            h.AddrReplace(new InterfaceAddress
            {
                InterfaceIndex = link.Index,
                Address = IPAddress.Parse(network[0]),
                PrefixLength = int.Parse(network[1]),
                // The lab's own addresses need no duplicate detection; it would only slow the lab down.
                Flags = network[0].Contains(':') ? AddressFlags.NoDad : AddressFlags.None,
            });
        }

        h.LinkSetUp(link.Index);
        foreach (var (prefix, via) in routes)
        {
            h.RouteReplace(new Route { Destination = IPNetwork.Parse(prefix), Gateway = IPAddress.Parse(via), OutputInterface = link.Index });
        }
    }

    /// <summary>Prints each namespace's links, addresses and routes, read through our netlink layer.</summary>
    public static void Show(string prefix, TextWriter output)
    {
        var existing = NetNamespace.ListNames();
        foreach (var name in Names(prefix))
        {
            if (!existing.Contains(name))
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
                var addresses = h.AddrList(System.Net.Sockets.AddressFamily.Unspecified, link.Index).Where(a => !a.Address.IsIPv6LinkLocal).Select(a => $"{a.Address}/{a.PrefixLength}");
                output.WriteLine($"  link  {link}  {string.Join(' ', addresses)}");
            }

            foreach (var route in h.RouteList(System.Net.Sockets.AddressFamily.InterNetwork).Concat(h.RouteList(System.Net.Sockets.AddressFamily.InterNetworkV6)).Where(r => !r.Destination.BaseAddress.IsIPv6LinkLocal && r.Destination.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || r.Protocol != Route.KernelProtocol))
            {
                var dev = links.FirstOrDefault(l => l.Index == route.OutputInterface)?.Name ?? "?";
                output.WriteLine($"  route {route.ToString().Replace($"dev #{route.OutputInterface}", $"dev {dev}")}");
            }
        }
    }
}
