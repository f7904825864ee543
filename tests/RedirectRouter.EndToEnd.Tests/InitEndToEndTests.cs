using System.Net;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary><c>init</c> in the lab with each input format: traffic from the app pod leaves with the egress IP.</summary>
public sealed class InitEndToEndTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");
    private static readonly IPAddress FallbackDestination = IPAddress.Parse("172.16.100.26");

    private static Dictionary<string, string> OpenShift(Lab lab, string destinations) => new()
    {
        ["EGRESS_SOURCE"] = "192.168.12.99",
        ["EGRESS_GATEWAY"] = "192.168.12.1",
        ["EGRESS_DESTINATION"] = destinations,
        ["EGRESS_ROUTER_MODE"] = "init",
        ["EGRESS_ROUTER_PARENT"] = "nic0",
        ["EGRESS_ROUTER_HOST_NETNS"] = lab.HostNetns,
    };

    [Fact]
    public void OpenShiftVariablesRemapForwardFallBackAndAnnounce()
    {
        using var lab = new Lab();
        // The real case: the egress IP moves here from another node, whose MAC the gateway still has.
        lab.Gateway.Ip("neigh", "replace", "192.168.12.99", "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale");
        using var web = lab.ServeTcp(Destination, 80);
        using var other = lab.ServeTcp(FallbackDestination, 9999);
        using var dns = lab.ServeUdp(Destination, 7000);

        var (code, output, error) = lab.RunAgent(OpenShift(lab, "# redirects\n8080 tcp 172.16.100.25 80\n7000 udp 172.16.100.25\n172.16.100.26\n"));

        Assert.True(code == 0, $"init exited {code}: {error}");
        Assert.Contains("router set up in", output);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Equal("192.168.12.99 7000", lab.UdpFromClient(Router, 7000));
        Assert.Equal("192.168.12.99 9999", lab.TcpFromClient(Router, 9999));
        var mac = lab.Router.IpJson("link", "show", "macvlan0")[0].GetProperty("address").GetString();
        Lab.WaitFor(() => lab.Gateway.IpJson("neigh", "show", "192.168.12.99", "dev", "eth0").EnumerateArray()
            .Any(n => n.TryGetProperty("lladdr", out var l) && l.GetString() == mac), TimeSpan.FromSeconds(2), "the gateway learning the macvlan's MAC");
    }

    [Fact]
    public void WithoutFallbackUnmappedPortsAndDirectTrafficAreDropped()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var other = lab.ServeTcp(Destination, 9999);

        var (code, _, error) = lab.RunAgent(OpenShift(lab, "8080 tcp 172.16.100.25 80"));

        Assert.True(code == 0, $"init exited {code}: {error}");
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Null(lab.TcpFromClient(Router, 9999, TimeSpan.FromMilliseconds(500)));
        // Not an open relay: the client's own route to the destination network through the router goes nowhere.
        Assert.Null(lab.TcpFromClient(Destination, 80, TimeSpan.FromMilliseconds(500)));
        Assert.Null(lab.TcpFromClient(Destination, 9999, TimeSpan.FromMilliseconds(500)));
        Assert.Empty(other.Peers);
    }

    [Fact]
    public void InitIsIdempotentAndARestartConverges()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var environment = OpenShift(lab, "8080 tcp 172.16.100.25 80");

        Assert.Equal(0, lab.RunAgent(environment).ExitCode);
        var before = Snapshot(lab);
        var second = lab.RunAgent(environment);

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal(before, Snapshot(lab));
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
    }

    [Fact]
    public void NativeConfigTwoHomesMultiRouteEcmpAndIPv6()
    {
        using var lab = new Lab();
        // A second router on the first segment, for the multi-route prefix.
        lab.Gateway.Ip("addr", "add", "192.168.12.2/24", "dev", "eth0");
        using var web = lab.ServeTcp(Destination, 80);
        using var second = lab.ServeTcp(FallbackDestination, 80);
        using var web6 = lab.ServeTcp(IPAddress.Parse("fd00:100::25"), 443);
        var config = lab.TempFile("yaml", $$"""
            homes:
              - name: a
                parent: nic0
                addresses: [192.168.12.99/24, fd00:12::99/64]
                gateways: [192.168.12.1, fd00:12::1]
                routes:
                  - to: 172.16.100.26/32
                    via: [192.168.12.2]
                  - to: 172.16.250.0/24
                    via:
                      - address: 192.168.12.1
                        weight: 2
                      - address: 192.168.12.2
              - name: b
                parent: nic1
                interface: macvlan1
                addresses: [192.168.13.99/24]
                gateways: [192.168.13.1]
            rules:
              - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80, home: a }
              - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 80, home: b }
              - { protocol: tcp, port: 8082, destination: 172.16.100.26, targetPort: 80, home: a }
              - { protocol: tcp, port: 8443, destination: "fd00:100::25", targetPort: 443, home: a }
            settings:
              hostNetns: {{lab.HostNetns}}
            """);
        var (code, _, error) = lab.RunAgent(null, "init", "--config", config);

        Assert.True(code == 0, $"init exited {code}: {error}");
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Equal("192.168.13.99 80", lab.TcpFromClient(Router, 8081));
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8082));
        Assert.Contains(lab.Router.IpJson("neigh", "show", "192.168.12.2").EnumerateArray(), n => n.TryGetProperty("lladdr", out _));
        var hops = lab.Router.IpJson("route", "show", "table", "100", "172.16.250.0/24")[0].GetProperty("nexthops").EnumerateArray()
            .Select(h => $"{h.GetProperty("gateway").GetString()} {h.GetProperty("weight").GetInt32()}");
        Assert.Equal(["192.168.12.1 2", "192.168.12.2 1"], hops);
        Assert.Equal("fd00:12::99 443", lab.TcpFromClient(IPAddress.Parse("fd00:128::2"), 8443));
    }

    [Fact]
    public void EgressRouterResource()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var dns = lab.ServeUdp(Destination, 7000);
        using var other = lab.ServeTcp(FallbackDestination, 9999);
        var config = lab.TempFile("egressrouter.yaml", """
            apiVersion: network.operator.openshift.io/v1
            kind: EgressRouter
            metadata:
              name: egress-router-redirect
            spec:
              networkInterface:
                macvlan:
                  mode: Bridge
                  master: nic0
              addresses:
                - ip: 192.168.12.99/24
                  gateway: 192.168.12.1
              mode: Redirect
              redirect:
                redirectRules:
                  - destinationIP: 172.16.100.25
                    port: 8080
                    protocol: TCP
                    targetPort: 80
                  - destinationIP: 172.16.100.25
                    port: 7000
                    protocol: UDP
                fallbackIP: 172.16.100.26
            """);
        var (code, _, error) = lab.RunAgent(null, "init", "--config", config, "--host-netns", lab.HostNetns);

        Assert.True(code == 0, $"init exited {code}: {error}");
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Equal("192.168.12.99 7000", lab.UdpFromClient(Router, 7000));
        Assert.Equal("192.168.12.99 9999", lab.TcpFromClient(Router, 9999));
    }

    [Fact]
    public void AnEgressIPHeldByAnotherHostIsRefusedAndNothingIsClaimedThenARestartConverges()
    {
        using var lab = new Lab();
        using var intruder = TestNamespace.Create("intruder");
        lab.Segment.Ip("link", "add", "intr0", "type", "veth", "peer", "name", "eth0", "netns", intruder.Name);
        lab.Segment.Ip("link", "set", "intr0", "master", "br0", "up");
        intruder.Ip("addr", "add", "192.168.12.99/24", "dev", "eth0");
        intruder.Ip("link", "set", "eth0", "up");
        using var web = lab.ServeTcp(Destination, 80);
        var environment = OpenShift(lab, "8080 tcp 172.16.100.25 80");

        var (code, _, error) = lab.RunAgent(environment);

        Assert.Equal(1, code);
        Assert.Contains("refusing to claim 192.168.12.99", error);
        Assert.Contains("already in use by the host with MAC", error);
        Assert.DoesNotContain("unexpected failure", error, StringComparison.Ordinal);
        Assert.Empty(lab.Router.IpJson("-4", "addr", "show", "dev", "macvlan0").EnumerateArray());

        // The ruleset, applied while the probe waited, stays without the address; once the other host has
        // gone, the restarted init converges and the traffic flows.
        intruder.Ip("addr", "del", "192.168.12.99/24", "dev", "eth0");
        var restart = lab.RunAgent(environment);

        Assert.True(restart.ExitCode == 0, $"init exited {restart.ExitCode}: {restart.Error}");
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
    }

    [Fact]
    public void BadInputExitsTwoWithLocatedErrorsAndChangesNothing()
    {
        using var lab = new Lab();
        var before = Snapshot(lab);
        var environment = OpenShift(lab, "8080 tcp 172.16.100.25 80\n99999 udp 999.1.1.1");

        var (code, _, error) = lab.RunAgent(environment);

        Assert.Equal(2, code);
        Assert.Contains("EGRESS_DESTINATION:2", error);
        Assert.Equal(before, Snapshot(lab));
    }

    // Everything but the kernel's IPv6 link-local addresses and routes, which come and go with DAD on their own.
    [Fact]
    public void RefusesToConfigureTheNodesOwnNamespace()
    {
        using var lab = new Lab();
        var environment = OpenShift(lab, "8080 tcp 172.16.100.25 80");
        var before = lab.Node.Ip("-d", "link", "show") + lab.Node.Ip("addr", "show", "scope", "global");

        var givenItself = lab.RunAgentIn(lab.Node, [], environment);
        environment.Remove("EGRESS_ROUTER_HOST_NETNS");
        var holdsParent = lab.RunAgentIn(lab.Node, [], environment);

        Assert.Equal(1, givenItself.ExitCode);
        Assert.Contains("is this process's own namespace", givenItself.Error);
        Assert.Equal(1, holdsParent.ExitCode);
        Assert.Contains("holds the parent NIC nic0", holdsParent.Error);
        Assert.Equal(before, lab.Node.Ip("-d", "link", "show") + lab.Node.Ip("addr", "show", "scope", "global"));
    }

    [Fact]
    public void AMissingCapabilityIsExitCodeThreeAndNamed()
    {
        using var lab = new Lab();
        var (code, _, error) = lab.RunAgentIn(lab.Router, ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin"], OpenShift(lab, "8080 tcp 172.16.100.25 80"));

        Assert.Equal(3, code);
        Assert.Contains("CAP_NET_ADMIN", error);
        Assert.Empty(lab.Router.IpJson("link", "show", "type", "macvlan").EnumerateArray());
    }

    internal static string Snapshot(Lab lab) => string.Join('\n', SnapshotParts(lab)
        .SelectMany(p => p.Split('\n'))
        .Where(line => !line.Contains("fe80:", StringComparison.Ordinal)));

    private static string[] SnapshotParts(Lab lab) => [
        lab.Router.Ip("-d", "link", "show").Replace("\n", " "),
        lab.Router.Ip("addr", "show", "scope", "global"),
        lab.Router.Ip("route", "show", "table", "all"),
        lab.Router.Ip("rule", "show"),
        TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "list", "ruleset"]),
        lab.Node.Ip("link", "show"),
    ];
}
