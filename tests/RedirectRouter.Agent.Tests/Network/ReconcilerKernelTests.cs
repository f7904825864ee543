using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Agent.Tests.Network;

/// <summary>The network reconciler against the real kernel: a node namespace with parent NICs and a router namespace.</summary>
public sealed class ReconcilerKernelTests
{
    private static RouterNamespaces Open(NodeTopology lab) => RouterNamespaces.Open(lab.Router.Handle.Path, lab.Node.Handle.Path);

    private static DesiredState Plan(string yaml)
    {
        var result = ConfigLoader.LoadFile(yaml, "test.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return Planner.Plan(result.Config!);
    }

    private const string OneHome = """
        homes:
          - name: main
            parent: nic0
            mode: private
            addresses: [192.168.12.99/24, fd00:12::99/64]
            gateways: [192.168.12.1]
        fallback:
          ipv4: 172.16.100.25
        """;

    [Fact]
    public void OneHomeIsSetUpIdempotentlyAndRepaired()
    {
        using var lab = new NodeTopology(1);
        using var namespaces = Open(lab);
        var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default with { DuplicateProbeWindow = TimeSpan.FromMilliseconds(100) }, NullLoggerFactory.Instance);
        var desired = Plan(OneHome).Network;

        var first = reconciler.Reconcile(desired);
        Assert.NotEmpty(first);

        var link = lab.Router.IpJson("-d", "link", "show", "macvlan0")[0];
        Assert.Equal("private", link.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        Assert.Equal(Ownership.LinkAlias, link.GetProperty("ifalias").GetString());
        Assert.Contains("UP", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        // Made under a temporary name, then named and marked in one request: no temporary name is left behind.
        Assert.DoesNotContain(lab.Router.IpJson("link", "show").EnumerateArray(),
            l => l.GetProperty("ifname").GetString()!.StartsWith(NetworkApplier.TemporaryLinkPrefix, StringComparison.Ordinal));
        var addresses = lab.Router.IpJson("addr", "show", "dev", "macvlan0", "scope", "global")[0].GetProperty("addr_info").EnumerateArray()
            .Where(a => a.TryGetProperty("local", out _))
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToArray();
        Assert.Equal(["192.168.12.99/24", "fd00:12::99/64"], addresses.Order());
        var defaultRoute = lab.Router.IpJson("route", "show", "default")[0];
        Assert.Equal("192.168.12.1", defaultRoute.GetProperty("gateway").GetString());
        Assert.Equal("macvlan0", defaultRoute.GetProperty("dev").GetString());
        Assert.Equal("245", defaultRoute.GetProperty("protocol").GetString());
        Assert.Single(lab.Router.IpJson("route", "show", "192.168.12.1/32").EnumerateArray());
        // The macvlan reaches the gateway through the node's NIC.
        Assert.Equal(0, TestNamespace.Execute("ip", ["netns", "exec", lab.Router.Name, "ping", "-c1", "-W1", "192.168.12.1"]).ExitCode);

        Assert.Empty(reconciler.Reconcile(desired));

        lab.Router.Ip("route", "del", "default");
        var repaired = reconciler.Reconcile(desired);
        Assert.Single(repaired);
        Assert.Equal("192.168.12.1", lab.Router.IpJson("route", "show", "default")[0].GetProperty("gateway").GetString());

        lab.Router.Ip("link", "del", "macvlan0");
        reconciler.Reconcile(desired);
        Assert.Equal("192.168.12.1", lab.Router.IpJson("route", "show", "default")[0].GetProperty("gateway").GetString());
        Assert.Empty(reconciler.Reconcile(desired));
    }

    [Fact]
    public void TwoHomesGetTablesRulesAndEcmpRoutes()
    {
        using var lab = new NodeTopology(2);
        using var namespaces = Open(lab);
        var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default with { DuplicateProbeWindow = TimeSpan.Zero }, NullLoggerFactory.Instance);
        var desired = Plan("""
            homes:
              - name: a
                parent: nic0
                addresses: [192.168.12.99/24]
                gateways: [192.168.12.1]
                routes:
                  - to: 10.50.0.0/16
                    via:
                      - address: 192.168.12.253
                        weight: 3
                      - address: 192.168.12.254
              - name: b
                parent: nic1
                interface: egress1
                addresses: [192.168.13.99/24]
                gateways: [192.168.13.1]
            fallback:
              ipv4: 172.16.100.25
            """).Network;

        reconciler.Reconcile(desired);

        Assert.Equal("192.168.12.1", lab.Router.IpJson("route", "show", "table", "100", "default")[0].GetProperty("gateway").GetString());
        Assert.Equal("192.168.13.1", lab.Router.IpJson("route", "show", "table", "101", "default")[0].GetProperty("gateway").GetString());
        var ecmp = lab.Router.IpJson("route", "show", "table", "100", "10.50.0.0/16")[0].GetProperty("nexthops").EnumerateArray()
            .Select(h => $"{h.GetProperty("gateway").GetString()} {h.GetProperty("weight").GetInt32()}").ToArray();
        Assert.Equal(["192.168.12.253 3", "192.168.12.254 1"], ecmp);
        var rules = lab.Router.IpJson("rule", "show").EnumerateArray().Select(r => $"{r.GetProperty("priority").GetInt32()} {r.GetProperty("table").GetString()}").ToArray();
        Assert.Contains("1000 100", rules);
        Assert.Contains("1001 101", rules);
        Assert.Contains("1101 101", rules);
        Assert.Empty(reconciler.Reconcile(desired));

        lab.Router.Ip("rule", "del", "priority", "1001");
        Assert.Single(reconciler.Reconcile(desired));
        Assert.Empty(reconciler.Reconcile(desired));
    }

    [Fact]
    public void AnAddressHeldByAnotherHostIsRefusedAndNothingIsClaimed()
    {
        using var lab = new NodeTopology(1);
        lab.Gateway.Ip("addr", "add", "192.168.12.99/24", "dev", "gw0");
        using var namespaces = Open(lab);
        var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default, NullLoggerFactory.Instance);

        var e = Assert.Throws<SetupException>(() => reconciler.Reconcile(Plan(OneHome).Network));

        Assert.Equal("addresses", e.Step);
        Assert.Contains("refusing to claim 192.168.12.99", e.Message);
        Assert.Contains("already in use", e.Message);
        // With no IPv4 address on it, ip -4 lists nothing for the link at all.
        Assert.Empty(lab.Router.IpJson("-4", "addr", "show", "dev", "macvlan0").EnumerateArray());
        Assert.Single(lab.Router.IpJson("link", "show", "macvlan0").EnumerateArray());
    }

    [Fact]
    public void CreatingAMacvlanWithoutAHostNamespaceSaysWhatIsMissing()
    {
        using var lab = new NodeTopology(1);
        using var namespaces = RouterNamespaces.Open(lab.Router.Handle.Path, hostPath: null);
        var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default, NullLoggerFactory.Instance);
        var e = Assert.Throws<SetupException>(() => reconciler.Reconcile(Plan(OneHome).Network));
        Assert.Equal("links", e.Step);
        Assert.Contains("--host-netns", e.Message);
    }
}
