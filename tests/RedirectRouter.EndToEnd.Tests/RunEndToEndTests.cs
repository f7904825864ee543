using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary><c>run</c>: readiness, repair of each kind of drift, configuration reload, metrics, SIGTERM.</summary>
[Trait("Category", "Run")]
public sealed class RunEndToEndTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");

    private static string Config(Lab lab, int webTargetPort = 80) => lab.TwoHomesConfig(
    [
        $"  - {{ protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: {webTargetPort}, home: a }}",
        "  - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 90, home: b }",
    ], "\n  announceCount: 2");

    private static int FreePort() => 9100 + Random.Shared.Next(800);

    private static void Print(string text) => TestContext.Current.TestOutputHelper?.WriteLine(text);

    [Fact]
    public void FaultsAreRepairedAndTrafficFlowsAgain()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var webB = lab.ServeTcp(Destination, 90);
        var config = lab.TempFile("yaml", Config(lab));
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
        agent.WaitReady(port);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Equal("192.168.13.99 90", lab.TcpFromClient(Router, 8081));

        var times = new List<string>();
        void Fault(string name, Action inject, Func<bool> repaired)
        {
            inject();
            var took = Lab.WaitFor(repaired, TimeSpan.FromSeconds(10), $"repair of {name}");
            times.Add($"{name}: {took.TotalMilliseconds:0} ms");
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
            Assert.Equal("192.168.13.99 90", lab.TcpFromClient(Router, 8081));
        }

        bool HasDefault() => lab.Router.IpJson("route", "show", "default").EnumerateArray().Any();
        Fault("default route deleted", () => lab.Router.Ip("route", "del", "default"), HasDefault);
        Fault("addresses flushed", () => lab.Router.Ip("addr", "flush", "dev", "macvlan0", "scope", "global"),
            () => lab.Router.Ip("-4", "addr", "show", "dev", "macvlan0").Contains("192.168.12.99/24") && HasDefault());
        Fault("policy rule deleted", () => lab.Router.Ip("rule", "del", "priority", "1001"),
            () => lab.Router.IpJson("rule", "show").EnumerateArray().Any(r => r.GetProperty("priority").GetInt32() == 1001));
        Fault("macvlan deleted", () => lab.Router.Ip("link", "del", "macvlan0"),
            () => lab.Router.Ip("-4", "addr", "show", "dev", "macvlan0").Contains("192.168.12.99") && HasDefault()
                  && lab.Router.Ip("route", "show", "table", "100").Contains("default"));
        Fault("NAT table deleted", () => TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "delete", "table", "ip", "redirect_router"]),
            () => TestNamespace.Execute("ip", ["netns", "exec", lab.Router.Name, "nft", "list", "table", "ip", "redirect_router"]).Output.Contains("dnat"));

        Print("repair times: " + string.Join("; ", times));
        // The kernel holds the repaired state a moment before the supervisor has counted it (it reads the ruleset
        // back first): wait for the count, then check it.
        var metrics = "";
        Lab.WaitFor(() => (metrics = agent.Get(port, "/metrics").Body).Contains("redirect_router_repairs_total{kind=\"netfilter\"}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the netfilter repair in /metrics");
        Assert.Contains("redirect_router_repairs_total{kind=\"route\"}", metrics);
        Assert.Contains("redirect_router_repairs_total{kind=\"netfilter\"}", metrics);
        Assert.Contains("repaired:", agent.Log);
        Assert.Equal(0, agent.Stop());
    }

    [Fact]
    public void ReloadChangesForwardingRejectsBadConfigAndKeepsUntouchedConnections()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var web81 = lab.ServeTcp(Destination, 81);
        using var held = new TcpServer(lab.Destination, Destination, 90) { HoldConnections = true };
        // A ConfigMap-style mount: the file is a link into ..data, which is swapped as a whole.
        var dir = Directory.CreateTempSubdirectory("rr-configmap-").FullName;
        var config = Path.Combine(dir, "config.yaml");
        void Publish(string text)
        {
            var version = Path.Combine(dir, $"..{Guid.NewGuid():N}");
            Directory.CreateDirectory(version);
            File.WriteAllText(Path.Combine(version, "config.yaml"), text);
            var temporary = Path.Combine(dir, "..data_tmp");
            File.Delete(temporary);
            File.CreateSymbolicLink(temporary, version);
            // rename(2) over the old link, as the kubelet does; File.Move would follow the link.
            TestNamespace.Run("mv", ["-T", temporary, Path.Combine(dir, "..data")]);
            if (!File.Exists(config))
            {
                File.CreateSymbolicLink(config, "..data/config.yaml");
            }
        }

        Publish(Config(lab));
        var port = FreePort();
        try
        {
            using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
            agent.WaitReady(port);
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));

            using var connection = lab.Client.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            connection.ReceiveTimeout = 2000;
            connection.Connect(Router, 8081);
            var buffer = new byte[64];
            Assert.Contains("192.168.13.99 90", Encoding.ASCII.GetString(buffer, 0, connection.Receive(buffer)));

            var watch = Stopwatch.StartNew();
            Publish(Config(lab, webTargetPort: 81));
            try
            {
                Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 81", TimeSpan.FromSeconds(10), "the reload");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; the agent's log:\n{agent.Log}", e);
            }

            Print($"reload took effect after {watch.ElapsedMilliseconds} ms");

            // The connection through the untouched rule is still open and working.
            connection.Send("still-there"u8.ToArray());
            Assert.Equal("still-there", Encoding.ASCII.GetString(buffer, 0, connection.Receive(buffer)));

            Publish("homes: [ this is not valid");
            Lab.WaitFor(() => agent.Log.Contains("configuration rejected"), TimeSpan.FromSeconds(10), "the rejection");
            Assert.Equal("192.168.12.99 81", lab.TcpFromClient(Router, 8080));
            Assert.Contains("redirect_router_config_reloads_total{result=\"failure\"} 1", agent.Get(port, "/metrics").Body);
            Assert.Equal(200, agent.Get(port, "/readyz").Status);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AReloadFromIpv4OnlyToDualStackTurnsIpv6ForwardingOnAndIpv6TrafficLeavesAsTheEgressIpv6Address()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var web6 = lab.ServeTcp(IPAddress.Parse("fd00:100::25"), 443);
        string Home(string addresses, string gateways, string rules) => $$"""
            homes:
              - name: a
                parent: nic0
                addresses: [{{addresses}}]
                gateways: [{{gateways}}]
            rules:
            {{rules}}
            settings:
              hostNetns: {{lab.HostNetns}}
            """;
        const string Ipv4Rule = "  - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80 }";
        var config = lab.TempFile("reload-v6.yaml", Home("192.168.12.99/24", "192.168.12.1", Ipv4Rule));
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}", "--probe-window", "0");
        agent.WaitReady(port);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        // A new namespace starts with IPv6 forwarding off, and an IPv4-only router has no reason to turn it on.
        string Ipv6Forwarding() => TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "cat", "/proc/sys/net/ipv6/conf/all/forwarding"]).Trim();
        Assert.Equal("0", Ipv6Forwarding());

        var next = config + ".next";
        File.WriteAllText(next, Home("192.168.12.99/24, fd00:12::99/64", "192.168.12.1, fd00:12::1",
            Ipv4Rule + "\n  - { protocol: tcp, port: 8443, destination: \"fd00:100::25\", targetPort: 443 }"));
        File.Move(next, config, overwrite: true);
        try
        {
            Lab.WaitFor(() => lab.TcpFromClient(IPAddress.Parse("fd00:128::2"), 8443, TimeSpan.FromMilliseconds(500)) == "fd00:12::99 443",
                TimeSpan.FromSeconds(15), "IPv6 through the reloaded router");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the agent's log:\n{agent.Log}", e);
        }

        Assert.Equal("1", Ipv6Forwarding());
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Assert.Equal(0, agent.Stop());
    }

    [Fact]
    public void KeepsRunningWhileTheParentIsDownAndRecoversWhenItReturns()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var webB = lab.ServeTcp(Destination, 90);
        var config = lab.TempFile("yaml", Config(lab));
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
        agent.WaitReady(port);
        double Announcements() => double.Parse(agent.Get(port, "/metrics").Body.Split('\n')
            .First(l => l.StartsWith("redirect_router_announcements_total ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Lab.WaitFor(() => Announcements() >= 4, TimeSpan.FromSeconds(5), "the repeated announcement");
        var before = Announcements();

        lab.Node.Ip("link", "set", "nic0", "down");
        Thread.Sleep(1000);
        Assert.False(agent.HasExited, agent.Log);
        Assert.Null(lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)));
        Assert.Equal("192.168.13.99 90", lab.TcpFromClient(Router, 8081));

        lab.Node.Ip("link", "set", "nic0", "up");
        Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 80", TimeSpan.FromSeconds(10), "traffic after the parent returned");
        Lab.WaitFor(() => Announcements() > before, TimeSpan.FromSeconds(5), "a re-announcement after the flap");
        Assert.Equal(0, agent.Stop());
    }

    [Fact]
    public void CleanupOnExitRemovesWhatTheAgentMade()
    {
        using var lab = new Lab();
        var config = lab.TempFile("yaml", Config(lab));
        var port = FreePort();
        var pristine = InitEndToEndTests.Snapshot(lab);
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}", "--cleanup-on-exit");
        agent.WaitReady(port);
        Assert.NotEqual(pristine, InitEndToEndTests.Snapshot(lab));
        Assert.Equal(0, agent.Stop());
        Assert.Empty(lab.Router.IpJson("link", "show", "type", "macvlan").EnumerateArray());
        Assert.DoesNotContain("redirect_router", TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "list", "tables"]));
        Assert.DoesNotContain(lab.Router.IpJson("rule", "show").EnumerateArray(), r => r.GetProperty("priority").GetInt32() is >= 1000 and < 1200);
    }

    [Fact]
    public void ASetupFailureEndsRunWithANonZeroExitCode()
    {
        using var lab = new Lab();
        var config = lab.TempFile("yaml", Config(lab).Replace("parent: nic1", "parent: nic9", StringComparison.Ordinal));
        var (code, _, error) = lab.RunAgent(null, "run", "--config", config);
        Assert.Equal(1, code);
        Assert.Contains("setup failed at step 'links'", error);
        Assert.Contains("nic9", error);
    }

    [Fact]
    public void TheHealthEndpointStaysReachableFromTheClusterSideDespiteAFallback()
    {
        using var lab = new Lab();
        using var other = lab.ServeTcp(IPAddress.Parse("172.16.100.26"), 9999);
        var config = lab.TempFile("yaml", Config(lab) + "\nfallback:\n  ipv4: 172.16.100.26\n");
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"0.0.0.0:{port}");
        agent.WaitReady(port);
        Assert.Equal("192.168.12.99 9999", lab.TcpFromClient(Router, 9999));
        // The kubelet probes the pod's IP: from the cluster side the agent's own endpoint must answer, not the fallback.
        var probe = lab.TcpFromClient(Router, port);
        Assert.Null(probe is null ? null : probe.Contains("192.168.12.99", StringComparison.Ordinal) ? probe : null);
        using var http = lab.Client.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        http.ReceiveTimeout = 2000;
        http.Connect(Router, port);
        http.Send(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.0\r\nHost: router\r\n\r\n"));
        var buffer = new byte[512];
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, http.Receive(buffer)));
    }

    [Fact]
    public void FromTheEgressSideTheRouterRelaysAndAnswersNothingAndCountsTheDrops()
    {
        using var lab = new Lab();
        var relayTarget = IPAddress.Parse("172.16.100.26");
        using var other = lab.ServeTcp(relayTarget, 80);
        var config = lab.TempFile("yaml", Config(lab));
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"0.0.0.0:{port}");
        agent.WaitReady(port);
        var egress = IPAddress.Parse("192.168.12.99");

        // The gateway sits on the egress segment: it sends one destination address via the egress IP, as a
        // relay attempt (the router would send it back out of the same macvlan, from the egress IP).
        lab.Gateway.Ip("route", "add", "172.16.100.26/32", "via", "192.168.12.99");
        Assert.Null(ConnectFrom(lab.Gateway, relayTarget, 80));
        Assert.Empty(other.Peers);
        // The agent's endpoint listens on 0.0.0.0, but answers the cluster side only.
        Assert.Null(ConnectFrom(lab.Gateway, egress, port));
        Assert.NotNull(ConnectFrom(lab.Client, Router, port));

        // The counters are the agent's own periodic read (a scrape never starts one), so they may lag by an interval.
        var metrics = "";
        double Dropped(string hook) => double.Parse(metrics.Split('\n')
            .Single(l => l.StartsWith($"redirect_router_filter_dropped_packets{{direction=\"egress\",family=\"ipv4\",hook=\"{hook}\"}} ", StringComparison.Ordinal))
            .Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Lab.WaitFor(() => (metrics = agent.Get(port, "/metrics").Body).Length > 0 && Dropped("forward") >= 1 && Dropped("input") >= 1,
                TimeSpan.FromSeconds(30), "the drops in /metrics");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}:\n{metrics}", e);
        }

        var diag = lab.RunAgent(null, "diag", "--config", config);
        Assert.Matches(@"  [1-9][0-9]* packets from the egress side dropped", diag.Output);
    }

    private static string? ConnectFrom(TestNamespace ns, IPAddress target, int port)
    {
        using var socket = ns.Handle.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            socket.ConnectAsync(target, port, cts.Token).AsTask().GetAwaiter().GetResult();
            return "connected";
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public void MetricsPassPromtoolAndReadinessFollowsSetup()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = lab.TempFile("yaml", Config(lab));
        var port = FreePort();
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}", "--probe-window", "1000");
        // During the one-second duplicate-address probe the endpoint is up but not ready.
        agent.WaitReady(port, "/healthz", "the health endpoint");
        Assert.Equal(503, agent.Get(port, "/readyz").Status);
        agent.WaitReady(port);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));

        // The rule counters are the agent's own read after setup (a scrape never starts one).
        Lab.WaitFor(() => agent.Get(port, "/metrics").Body.Contains("redirect_router_rule_packets{"), TimeSpan.FromSeconds(5), "the first counter read");
        var (status, body) = agent.Get(port, "/metrics");
        Assert.Equal(200, status);
        Assert.Contains("redirect_router_ready 1", body);
        Assert.Contains("redirect_router_rule_packets{", body);
        Assert.Contains("redirect_router_build_info{", body);
        var file = lab.TempFile("metrics.txt", body);
        var check = TestNamespace.Execute("sh", ["-c", $"promtool check metrics < {file}"]);
        Assert.True(check.ExitCode == 0, $"promtool: {check.Output}{check.Error}");

        Assert.Equal(404, agent.Get(port, "/nothing").Status);
        Assert.Equal(0, agent.Stop());
    }
}
