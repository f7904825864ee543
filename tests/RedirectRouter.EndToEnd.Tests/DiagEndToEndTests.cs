using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using RedirectRouter.Netlink;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// <c>diag</c> on a lab router set up by <c>init</c> (so nothing repairs the faults): each fault injected names the
/// right cause first and exits 1; a healthy router exits 0 with no cause; the JSON is valid against
/// docs/diag.schema.json; the node side can inspect by --pid and --netns with no agent running.
/// </summary>
public sealed class DiagEndToEndTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");
    private static readonly Lazy<JsonElement> Schema = new(() =>
        JsonDocument.Parse(File.ReadAllText(JsonSchemaValidator.FindRepositoryFile("docs/diag.schema.json"))).RootElement.Clone());

    internal static string WriteConfig(Lab lab, string? homes = null) => lab.TempFile("diag.yaml", (homes ?? """
        homes:
          - parent: nic0
            addresses: [192.168.12.99/24]
            gateways: [192.168.12.1]
        rules:
          - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80 }
        """) + $"\nsettings:\n  hostNetns: {lab.HostNetns}\n");

    internal static void Init(Lab lab, string config)
    {
        var (code, _, error) = lab.RunAgent(null, "init", "--config", config);
        Assert.True(code == 0, $"init exited {code}: {error}");
    }

    /// <summary>Runs diag in <paramref name="where"/> (default: the router) with JSON output; checks the schema and that the exit code agrees with the verdict.</summary>
    internal static (int Code, JsonElement Report, string Error) Diag(Lab lab, TestNamespace? where, params string[] args)
    {
        var (code, output, error) = lab.RunAgentIn(where ?? lab.Router, [], null, ["diag", "--output", "json", .. args]);
        Assert.True(code is 0 or 1, $"diag exited {code}: {error}\n{output}");
        var report = JsonDocument.Parse(output).RootElement.Clone();
        var problems = JsonSchemaValidator.Validate(Schema.Value, report);
        Assert.True(problems.Count == 0, "the report does not match docs/diag.schema.json:\n" + string.Join('\n', problems) + "\n" + output);
        Assert.Equal(code, report.GetProperty("verdict").GetProperty("exitCode").GetInt32());
        return (code, report, error);
    }

    private static string[] Codes(JsonElement report) =>
        report.GetProperty("verdict").GetProperty("causes").EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToArray();

    private static void Traffic(Lab lab)
    {
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
    }

    [Fact]
    public void AHealthyRouterExitsZeroWithNoCauseAndTheTextShowsTheKeyFacts()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = WriteConfig(lab);
        Init(lab, config);
        Traffic(lab);

        var (code, report, error) = Diag(lab, null, "--config", config, "--probe");

        Assert.True(code == 0, $"diag found: {string.Join(", ", Codes(report))}\n{report}\n{error}");
        Assert.Equal("healthy", report.GetProperty("verdict").GetProperty("status").GetString());
        Assert.Empty(Codes(report));
        var macvlan = report.GetProperty("interfaces").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "macvlan0");
        Assert.True(macvlan.GetProperty("owned").GetBoolean());
        Assert.Equal("private", macvlan.GetProperty("mode").GetString());
        Assert.Equal("nic0", macvlan.GetProperty("parent").GetProperty("name").GetString());
        Assert.True(macvlan.GetProperty("counters").GetProperty("txPackets").GetUInt64() > 0);
        var gateway = report.GetProperty("gateways")[0];
        Assert.Equal("192.168.12.1", gateway.GetProperty("address").GetString());
        Assert.True(gateway.GetProperty("probe").GetProperty("answered").GetBoolean());
        Assert.Contains(report.GetProperty("netfilter").GetProperty("rules").EnumerateArray(), r => r.GetProperty("packets").GetUInt64() > 0);
        Assert.Contains(report.GetProperty("conntrack").GetProperty("destinations").EnumerateArray(),
            d => d.GetProperty("destination").GetString() == "172.16.100.25" && d.GetProperty("port").GetInt32() == 80);
        Assert.Empty(report.GetProperty("networkDrift").EnumerateArray());

        var text = lab.RunAgent(null, "diag", "--config", config);
        Assert.Equal(0, text.ExitCode);
        Assert.DoesNotContain("\u001b[", text.Output);
        foreach (var fact in new[] { "VERDICT: HEALTHY", "macvlan0*", "private", "nic0 (up, mtu 1500)", "192.168.12.99/24", "0.0.0.0/0", "192.168.12.1",
            "NETFILTER (nftables)", "tcp . 8080 : 172.16.100.25 . 80", "ruleset matches the desired state", "network matches the desired state",
            "net.ipv4.ip_forward 1", "172.16.100.25" })
        {
            Assert.Contains(fact, text.Output);
        }
    }

    [Fact]
    public void FromTheNodeSideByPidAndByNetnsWithNoAgentRunning()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = WriteConfig(lab);
        // Any process of the pod will do: here a sleep in the router's namespace (ip netns exec execs it, so its PID is the sleep's).
        using var pod = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", lab.Router.Name, "sleep", "120"]))!;
        try
        {
            Init(lab, config);
            Traffic(lab);
            Lab.WaitFor(() =>
            {
                using var ns = NetNamespace.OpenPid(pod.Id);
                return ns.Id == lab.Router.Handle.Id;
            }, TimeSpan.FromSeconds(5), "the pod process entering the router's namespace");
            var pid = pod.Id.ToString(CultureInfo.InvariantCulture);

            var (byPid, report, error) = Diag(lab, lab.Node, "--pid", pid, "--config", config);

            Assert.True(byPid == 0, $"diag --pid found: {string.Join(", ", Codes(report))}\n{report}\n{error}");
            Assert.Equal("pid", report.GetProperty("target").GetProperty("selectedBy").GetString());
            Assert.Equal($"/proc/{pid}/ns/net", report.GetProperty("target").GetProperty("namespace").GetString());
            Assert.Equal("nic0", report.GetProperty("interfaces")[0].GetProperty("parent").GetProperty("name").GetString());

            // No configuration: the desired state is inferred, the parent is looked up in the namespace diag runs in (the node's).
            var (byName, inferred, error2) = Diag(lab, lab.Node, "--netns", lab.Router.Name);

            Assert.True(byName == 0, $"diag --netns found: {string.Join(", ", Codes(inferred))}\n{inferred}\n{error2}");
            Assert.Equal("none", inferred.GetProperty("target").GetProperty("config").GetString());
            Assert.Equal("diag-namespace", inferred.GetProperty("target").GetProperty("hostNamespaceSource").GetString());
            var macvlan = inferred.GetProperty("interfaces")[0];
            Assert.Equal("macvlan0", macvlan.GetProperty("name").GetString());
            Assert.Equal("up", macvlan.GetProperty("parent").GetProperty("operState").GetString());
            Assert.Equal("192.168.12.1", inferred.GetProperty("gateways")[0].GetProperty("address").GetString());
            Assert.True(inferred.GetProperty("netfilter").GetProperty("rulesPresent").GetBoolean());

            // The fault seen from the node side too, in text by namespace path.
            lab.Node.Ip("link", "set", "nic0", "down");
            var text = lab.RunAgentIn(lab.Node, [], null, "diag", "--netns", lab.Router.Handle.Path);
            Assert.Equal(1, text.ExitCode);
            Assert.Contains("1. [error] parent-down: macvlan parent down: nic0", text.Output);

            Assert.Equal(2, lab.RunAgentIn(lab.Node, [], null, "diag", "--netns", lab.Router.Name, "--pid", pid).ExitCode);
            Assert.Equal(2, lab.RunAgentIn(lab.Node, [], null, "diag", "--output", "yaml").ExitCode);
            var missing = lab.RunAgentIn(lab.Node, [], null, "diag", "--netns", "rrt-no-such-namespace");
            Assert.Equal(3, missing.ExitCode);
            Assert.Contains("cannot open the network namespace", missing.Error);
        }
        finally
        {
            pod.Kill();
            pod.WaitForExit();
        }
    }

    [Fact]
    public void FromAThirdNamespaceTheParentIsFoundThroughItsNetnsidAndNeverByIndexElsewhere()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = WriteConfig(lab);
        Init(lab, config);
        Traffic(lab);
        // diag runs in a namespace of its own, which has a link, down, at the parent's index: looked up there by
        // index, the parent would be that decoy (and "down").
        using var third = TestNamespace.Create("thd");
        var parentIndex = lab.Node.IpJson("link", "show", "nic0")[0].GetProperty("ifindex").GetInt32().ToString(CultureInfo.InvariantCulture);
        third.Ip("link", "add", "decoy0", "index", parentIndex, "type", "veth", "peer", "name", "decoy1", "index", "900");
        Assert.Equal(parentIndex, third.IpJson("link", "show", "decoy0")[0].GetProperty("ifindex").GetInt32().ToString(CultureInfo.InvariantCulture));

        // Healthy, the node namespace named by the configuration (settings.hostNetns) or by --host-netns.
        var (healthy, report, error) = Diag(lab, third, "--netns", lab.Router.Name, "--config", config);
        Assert.True(healthy == 0, $"diag found: {string.Join(", ", Codes(report))}\n{report}\n{error}");
        Assert.Equal("nic0", Parent(report).GetProperty("name").GetString());
        var (byOption, optionReport, optionError) = Diag(lab, third, "--netns", lab.Router.Name, "--host-netns", lab.HostNetns);
        Assert.True(byOption == 0, $"diag found: {string.Join(", ", Codes(optionReport))}\n{optionReport}\n{optionError}");
        Assert.Equal("nic0", Parent(optionReport).GetProperty("name").GetString());
        Assert.Equal("up", Parent(optionReport).GetProperty("operState").GetString());

        // The node namespace not named: diag assumes its own, whose netnsid is not the parent's; a note says so, and no cause.
        var (unknown, unknownReport, unknownError) = Diag(lab, third, "--netns", lab.Router.Name);
        Assert.True(unknown == 0, $"diag found: {string.Join(", ", Codes(unknownReport))}\n{unknownReport}\n{unknownError}");
        Assert.Equal("diag-namespace", unknownReport.GetProperty("target").GetProperty("hostNamespaceSource").GetString());
        Assert.False(Parent(unknownReport).GetProperty("namespaceKnown").GetBoolean());
        Assert.Equal(JsonValueKind.Null, Parent(unknownReport).GetProperty("name").ValueKind);
        Assert.Contains(unknownReport.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("link-netnsid", StringComparison.Ordinal)
            && n.GetString()!.Contains("--host-netns", StringComparison.Ordinal));
        Assert.DoesNotContain("decoy", unknownReport.ToString(), StringComparison.Ordinal);
        var unknownText = lab.RunAgentIn(third, [], null, "diag", "--netns", lab.Router.Name);
        Assert.Equal(0, unknownText.ExitCode);
        Assert.Contains($"#{parentIndex} (its namespace not inspected", unknownText.Output);
        Assert.Contains("note: the parent of macvlan0", unknownText.Output);

        // Parent down: the real parent is named, with the node namespace known; without it, the macvlan's own state
        // says the lower layer is down, and still no interface of another namespace is named.
        lab.Node.Ip("link", "set", "nic0", "down");
        var (down, downReport, downError) = Diag(lab, third, "--netns", lab.Router.Name, "--config", config);
        Assert.True(down == 1, $"diag exited {down}: {downReport}\n{downError}");
        var cause = downReport.GetProperty("verdict").GetProperty("causes")[0];
        Assert.Equal("parent-down", cause.GetProperty("code").GetString());
        Assert.Equal("nic0", cause.GetProperty("subject").GetString());
        Assert.DoesNotContain("decoy", downReport.ToString(), StringComparison.Ordinal);

        // The macvlan follows its parent: it loses its carrier, which diag reads in the router's own namespace.
        Lab.WaitFor(() => !lab.Router.IpJson("link", "show", "macvlan0")[0].GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "LOWER_UP"),
            TimeSpan.FromSeconds(5), "macvlan0 losing its carrier");
        var (downUnknown, downUnknownReport, downUnknownError) = Diag(lab, third, "--netns", lab.Router.Name);
        Assert.True(downUnknown == 1, $"diag exited {downUnknown}: {downUnknownReport}\n{downUnknownError}");
        var unknownCause = downUnknownReport.GetProperty("verdict").GetProperty("causes")[0];
        Assert.Equal("parent-down", unknownCause.GetProperty("code").GetString());
        Assert.Equal("the parent NIC", unknownCause.GetProperty("subject").GetString());
        Assert.DoesNotContain("decoy", downUnknownReport.ToString(), StringComparison.Ordinal);

        var text = lab.RunAgentIn(third, [], null, "diag", "--netns", lab.Router.Name, "--config", config);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("1. [error] parent-down: macvlan parent down: nic0", text.Output);
    }

    private static JsonElement Parent(JsonElement report) =>
        report.GetProperty("interfaces").EnumerateArray().Single(i => i.GetProperty("name").GetString() == "macvlan0").GetProperty("parent");

    [Fact]
    public void AStrictReversePathFilterOnASecondHomeIsNamed()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = lab.TempFile("diag.yaml", lab.TwoHomesConfig(
        [
            "  - { protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: 80, home: a }",
            "  - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 80, home: b }",
        ]));
        Init(lab, config);
        Traffic(lab);
        var (healthy, before, _) = Diag(lab, null, "--config", config);
        Assert.True(healthy == 0, $"before the fault: {string.Join(", ", Codes(before))}\n{before}");

        // Replies from the destination arrive on macvlan1, but the main table routes the destination via macvlan0.
        lab.Router.Handle.Run(() => File.WriteAllText("/proc/sys/net/ipv4/conf/macvlan1/rp_filter", "1"));
        var (code, report, error) = Diag(lab, null, "--config", config);

        Assert.True(code == 1, $"diag exited {code}: {report}\n{error}");
        Assert.Equal("rp-filter-drop", Codes(report)[0]);
        Assert.Contains("macvlan1", report.GetProperty("verdict").GetProperty("causes")[0].GetProperty("subject").GetString());
    }

    [Fact]
    public void TheRunningAgentsHealthIsReportedAndWatchRepeats()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = WriteConfig(lab);
        var port = 9900 + Random.Shared.Next(90);
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
        agent.WaitReady(port);
        Traffic(lab);

        var (code, report, error) = Diag(lab, null, "--config", config, "--metrics", $"127.0.0.1:{port}");

        Assert.True(code == 0, $"diag found: {string.Join(", ", Codes(report))}\n{report}\n{error}");
        var health = report.GetProperty("agent");
        Assert.True(health.GetProperty("reachable").GetBoolean());
        Assert.True(health.GetProperty("ready").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, health.GetProperty("lastSync").ValueKind);

        // --watch: one compact JSON document per line, bounded by --count.
        var watch = lab.RunAgent(null, "diag", "--config", config, "--output", "json", "--watch", "--interval", "0.2", "--count", "2");
        Assert.Equal(0, watch.ExitCode);
        var lines = watch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Equal("healthy", JsonDocument.Parse(line).RootElement.GetProperty("verdict").GetProperty("status").GetString()));

        // An endpoint that does not answer is a cause of its own.
        var (down, unreachable, _) = Diag(lab, null, "--config", config, "--metrics", $"127.0.0.1:{port + 1}");
        Assert.Equal(1, down);
        Assert.Equal("agent-unreachable", Codes(unreachable)[0]);
    }

    public static TheoryData<string, string> Faults => new()
    {
        { "delete the macvlan", "no-macvlan" },
        { "set the parent down", "parent-down" },
        { "delete the egress IP", "egress-ip-missing" },
        { "another host with the egress IP", "duplicate-egress-ip" },
        { "delete the gateway's address", "gateway-unreachable" },
        { "replace the default route", "default-route-wrong" },
        { "delete the nft table", "nat-rules-missing" },
        { "insert a foreign shadowing rule", "nat-rules-shadowed" },
        { "turn IP forwarding off", "ip-forwarding-off" },
        { "shrink the macvlan's MTU", "mtu-mismatch" },
        { "send no traffic", "no-traffic" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void EachFaultIsNamedFirstAndExitsOne(string fault, string expected)
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = WriteConfig(lab);
        TestNamespace? intruder = null;
        try
        {
            Init(lab, config);
            if (fault != "send no traffic")
            {
                Traffic(lab);
            }

            intruder = Inject(lab, fault);
            var (code, report, error) = Diag(lab, null, "--config", config, "--probe");

            Assert.True(code == 1, $"{fault}: diag exited {code}: {report}\n{error}");
            Assert.Equal("degraded", report.GetProperty("verdict").GetProperty("status").GetString());
            var codes = Codes(report);
            Assert.True(codes.Length > 0 && codes[0] == expected, $"{fault}: expected {expected} first, got [{string.Join(", ", codes)}]\n{report}");
            var first = report.GetProperty("verdict").GetProperty("causes")[0];
            Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("nextStep").GetString()));
        }
        finally
        {
            intruder?.Dispose();
        }
    }

    private static TestNamespace? Inject(Lab lab, string fault)
    {
        switch (fault)
        {
            case "delete the macvlan":
                lab.Router.Ip("link", "del", "macvlan0");
                break;
            case "set the parent down":
                lab.Node.Ip("link", "set", "nic0", "down");
                break;
            case "delete the egress IP":
                lab.Router.Ip("addr", "del", "192.168.12.99/24", "dev", "macvlan0");
                break;
            case "another host with the egress IP":
                var intruder = TestNamespace.Create("intruder");
                lab.Segment.Ip("link", "add", "intr0", "type", "veth", "peer", "name", "eth0", "netns", intruder.Name);
                lab.Segment.Ip("link", "set", "intr0", "master", "br0", "up");
                intruder.Ip("addr", "add", "192.168.12.99/24", "dev", "eth0", "nodad");
                intruder.Ip("link", "set", "eth0", "up");
                Lab.WaitFor(() => intruder.IpJson("link", "show", "eth0")[0].GetProperty("operstate").GetString() == "UP", TimeSpan.FromSeconds(5), "the intruder's link");
                return intruder;
            case "delete the gateway's address":
                lab.Gateway.Ip("addr", "del", "192.168.12.1/24", "dev", "eth0");
                break;
            case "replace the default route":
                lab.Router.Ip("route", "replace", "default", "via", "192.168.12.2", "dev", "macvlan0");
                break;
            case "delete the nft table":
                TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "delete", "table", "ip", "redirect_router"]);
                break;
            case "insert a foreign shadowing rule":
                // A foreign NAT chain hooked before ours (dstnat = -100) that sends port 8080 elsewhere.
                TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "add", "table", "ip", "foreign"]);
                TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "add", "chain", "ip", "foreign", "pre", "{ type nat hook prerouting priority -110 ; }"]);
                TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "nft", "add", "rule", "ip", "foreign", "pre", "tcp", "dport", "8080", "dnat", "ip", "to", "10.1.1.1"]);
                break;
            case "turn IP forwarding off":
                lab.Router.Handle.Run(() => File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "0"));
                break;
            case "shrink the macvlan's MTU":
                lab.Router.Ip("link", "set", "macvlan0", "mtu", "1400");
                break;
            case "send no traffic":
                break;
            default:
                throw new ArgumentException(fault);
        }

        return null;
    }
}
