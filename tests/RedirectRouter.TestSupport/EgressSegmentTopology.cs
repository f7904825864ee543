
namespace RedirectRouter.TestSupport;

/// <summary>
/// A router with two homes, a gateway with a narrow link behind it, and a stranger on the egress segment, each a
/// fresh namespace (removed on dispose):
/// <code>
/// client   eth0 10.128.0.10/24 fd00:128::10/64, default via the router (the app pod)
/// router   eth0 10.128.0.2/24 fd00:128::2/64 (cluster side)
///          egress0 192.168.12.99/24 fd00:12::99/64 (home a, on segment A), default via 192.168.12.1 / fd00:12::1
///          egress1 192.168.13.99/24 fd00:13::99/64 (home b, directly on segment B)
/// gateway  br0 192.168.12.1/24 fd00:12::1/64 (segment A: a bridge of the router's egress0 and the stranger)
///          dn 172.16.100.1/24 fd00:100::1/64, MTU 1280 on this side only (the narrow hop behind the gateway)
/// dest     eth0 172.16.100.25 + .26/24, fd00:100::25 + ::26/64, MTU 1500, default via the gateway
/// homeb    eth0 192.168.13.1/24 fd00:13::1/64 (segment B), default via the router
/// stranger eth0 192.168.12.50/24 fd00:12::50/64 on segment A; routes the destination network, the cluster
///          network and segment B via the router's egress address
/// </code>
/// </summary>
public sealed class EgressSegmentTopology : NamespaceGroup
{
    public const string HomeA = "egress0";
    public const string HomeB = "egress1";

    public EgressSegmentTopology()
    {
        try
        {
            Client = Add("cl");
            Router = Add("rt");
            Gateway = Add("gw");
            Destination = Add("ds");
            HomeBHost = Add("hb");
            Stranger = Add("st");

            Router.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", Client.Name);
            Router.Ip("link", "add", HomeA, "type", "veth", "peer", "name", "rt", "netns", Gateway.Name);
            Router.Ip("link", "add", HomeB, "type", "veth", "peer", "name", "eth0", "netns", HomeBHost.Name);
            Stranger.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "st", "netns", Gateway.Name);
            Gateway.Ip("link", "add", "dn", "type", "veth", "peer", "name", "eth0", "netns", Destination.Name);
            Gateway.Ip("link", "add", "br0", "type", "bridge");
            foreach (var port in new[] { "rt", "st" })
            {
                Gateway.Ip("link", "set", port, "master", "br0");
                Gateway.Ip("link", "set", port, "up");
            }
            Gateway.Ip("link", "set", "dn", "mtu", "1280");

            Address(Client, "eth0", "10.128.0.10/24", "fd00:128::10/64");
            Address(Router, "eth0", "10.128.0.2/24", "fd00:128::2/64");
            Address(Router, HomeA, "192.168.12.99/24", "fd00:12::99/64");
            Address(Router, HomeB, "192.168.13.99/24", "fd00:13::99/64");
            Address(Gateway, "br0", "192.168.12.1/24", "fd00:12::1/64");
            Address(Gateway, "dn", "172.16.100.1/24", "fd00:100::1/64");
            Address(Destination, "eth0", "172.16.100.25/24", "fd00:100::25/64");
            Address(Destination, "eth0", "172.16.100.26/24", "fd00:100::26/64");
            Address(HomeBHost, "eth0", "192.168.13.1/24", "fd00:13::1/64");
            Address(Stranger, "eth0", "192.168.12.50/24", "fd00:12::50/64");

            Client.Ip("route", "add", "default", "via", "10.128.0.2");
            Client.Ip("-6", "route", "add", "default", "via", "fd00:128::2");
            Router.Ip("route", "add", "default", "via", "192.168.12.1");
            Router.Ip("-6", "route", "add", "default", "via", "fd00:12::1");
            Destination.Ip("route", "add", "default", "via", "172.16.100.1");
            Destination.Ip("-6", "route", "add", "default", "via", "fd00:100::1");
            foreach (var (v4, v6) in new[] { ("172.16.100.0/24", "fd00:100::/64"), ("10.128.0.0/24", "fd00:128::/64"), ("192.168.13.0/24", "fd00:13::/64") })
            {
                Stranger.Ip("route", "add", v4, "via", "192.168.12.99");
                Stranger.Ip("-6", "route", "add", v6, "via", "fd00:12::99");
            }
            // Home b's host routes everything via the router: it tries the way across into home a's destination network.
            HomeBHost.Ip("route", "add", "default", "via", "192.168.13.99");
            HomeBHost.Ip("-6", "route", "add", "default", "via", "fd00:13::99");
            EnableForwarding(Router);
            EnableForwarding(Gateway);
            // The router must not tell the stranger a shorter way (an ICMP redirect is an answer, and not what is tested).
            Exec(Router, "sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
            Exec(Router, "sysctl", "-q", "-w", $"net.ipv4.conf.{HomeA}.send_redirects=0");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Client { get; }

    public TestNamespace Router { get; }

    public TestNamespace Gateway { get; }

    public TestNamespace Destination { get; }

    public TestNamespace HomeBHost { get; }

    public TestNamespace Stranger { get; }

    /// <summary>Echo requests <paramref name="ns"/> received so far, per family (the kernel's own count: anything that arrived).</summary>
    public static long EchoRequestsReceived(TestNamespace ns, bool v6)
    {
        if (v6)
        {
            var line = Exec(ns, "cat", "/proc/net/snmp6").Split('\n').Single(l => l.StartsWith("Icmp6InEchos ", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        var rows = Exec(ns, "cat", "/proc/net/snmp").Split('\n').Where(l => l.StartsWith("Icmp: ", StringComparison.Ordinal)).ToArray();
        var names = rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(values[Array.IndexOf(names, "InEchos")], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether one ping from <paramref name="ns"/> to <paramref name="address"/> is answered within 1 s.</summary>
    public static bool Pings(TestNamespace ns, string address) =>
        TestNamespace.Execute("ip", ["netns", "exec", ns.Name, "ping", "-c", "1", "-W", "1", address]).ExitCode == 0;

    /// <summary>The link-layer address <paramref name="ns"/> has for <paramref name="address"/>, or null (neighbour discovery failed or never ran).</summary>
    public static string? NeighbourMac(TestNamespace ns, string address)
    {
        var entries = ns.IpJson("neigh", "show", address);
        return entries.GetArrayLength() > 0 && entries[0].TryGetProperty("lladdr", out var mac) ? mac.GetString() : null;
    }
}
