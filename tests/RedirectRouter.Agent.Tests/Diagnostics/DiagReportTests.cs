using System.Text.Json;
using RedirectRouter.Agent.Diagnostics;
using RedirectRouter.TestSupport;
using static RedirectRouter.Agent.Tests.Diagnostics.DiagSamples;

namespace RedirectRouter.Agent.Tests.Diagnostics;

/// <summary>The JSON (against docs/diag.schema.json, every key documented), the text report, and the parsers.</summary>
public sealed class DiagReportTests
{
    private static readonly DateTimeOffset Time = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly JsonElement Schema =
        JsonDocument.Parse(File.ReadAllText(JsonSchemaValidator.FindRepositoryFile("docs/diag.schema.json"))).RootElement.Clone();

    public static TheoryData<string> Variants => new() { "healthy", "degraded", "sparse" };

    private static DiagFacts Variant(string name) => name switch
    {
        "healthy" => Healthy,
        "degraded" => DiagAnalyzerTests.Inject(DiagAnalyzerTests.Inject(Healthy, "no macvlan"), "agent unreachable") with { NetworkDrift = ["add address 192.168.12.99/24 on macvlan0"] },
        // Nothing known: no configuration, no agent, no tools.
        _ => new DiagFacts
        {
            Target = new DiagTarget("/proc/1/ns/net", "pid", null, "unknown", "none", null),
            Netfilter = new NetfilterFact { Error = "neither nft nor iptables is installed" },
            Conntrack = new ConntrackFact { Error = "the conntrack tool is not installed" },
        },
    };

    [Fact]
    public void TheTextAndJsonSayWhatTheFiltersDropped()
    {
        var text = DiagTextWriter.Write(Healthy, [], Time, color: false);
        Assert.Contains("  10 packets from the egress side dropped (7 to be forwarded, 3 to the router itself); 0 packets from the cluster side dropped (not redirected)\n", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(DiagReport.ToJson(Healthy, [], Time));
        var drops = json.RootElement.GetProperty("netfilter").GetProperty("drops").EnumerateArray().ToList();
        Assert.Equal(3, drops.Count);
        Assert.Equal(7, drops.Single(d => d.GetProperty("direction").GetString() == "egress" && d.GetProperty("hook").GetString() == "forward").GetProperty("packets").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheJsonMatchesTheDocumentedSchema(string variant)
    {
        var facts = Variant(variant);
        var json = DiagReport.ToJson(facts, DiagAnalyzer.Analyze(facts), Time);

        var errors = JsonSchemaValidator.Validate(Schema, JsonDocument.Parse(json).RootElement);

        Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + json);
    }

    [Fact]
    public void TheSchemaCheckCatchesAnUndocumentedKeyAndAWrongValue()
    {
        var json = DiagReport.ToJson(Healthy, [], Time);
        var extra = json.Replace("\"schemaVersion\": 1,", "\"schemaVersion\": 1, \"surprise\": true,", StringComparison.Ordinal);
        var wrong = json.Replace("\"status\": \"healthy\"", "\"status\": \"fine\"", StringComparison.Ordinal);

        Assert.Contains(JsonSchemaValidator.Validate(Schema, JsonDocument.Parse(extra).RootElement), e => e.Contains("surprise", StringComparison.Ordinal));
        Assert.Contains(JsonSchemaValidator.Validate(Schema, JsonDocument.Parse(wrong).RootElement), e => e.Contains("status", StringComparison.Ordinal));
    }

    [Fact]
    public void TheJsonCarriesTheVerdictAndTheFacts()
    {
        var facts = DiagAnalyzerTests.Inject(Healthy, "forwarding off");
        var root = JsonDocument.Parse(DiagReport.ToJson(facts, DiagAnalyzer.Analyze(facts), Time)).RootElement;

        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("2030-01-02T03:04:05.000Z", root.GetProperty("time").GetString());
        var verdict = root.GetProperty("verdict");
        Assert.Equal("degraded", verdict.GetProperty("status").GetString());
        Assert.Equal(1, verdict.GetProperty("exitCode").GetInt32());
        var cause = verdict.GetProperty("causes")[0];
        Assert.Equal(1, cause.GetProperty("rank").GetInt32());
        Assert.Equal("ip-forwarding-off", cause.GetProperty("code").GetString());
        Assert.Equal("error", cause.GetProperty("severity").GetString());
        Assert.Equal("nic0", root.GetProperty("interfaces")[0].GetProperty("parent").GetProperty("name").GetString());
        Assert.True(root.GetProperty("netfilter").GetProperty("rules")[2].GetProperty("neverMatched").GetBoolean());
        Assert.Equal(1, root.GetProperty("agent").GetProperty("repairs").GetProperty("route").GetInt32());
    }

    [Fact]
    public void TheTextReportShowsTheVerdictFirstAndTheKeyFactsWithoutColourUnlessAsked()
    {
        var facts = DiagAnalyzerTests.Inject(Healthy, "gateway probe unanswered");
        var causes = DiagAnalyzer.Analyze(facts);

        var text = DiagTextWriter.Write(facts, causes, Time, color: false);
        var colored = DiagTextWriter.Write(facts, causes, Time, color: true);

        Assert.DoesNotContain("\u001b[", text);
        Assert.Contains("\u001b[31m", colored);
        Assert.True(text.IndexOf("VERDICT: DEGRADED", StringComparison.Ordinal) < text.IndexOf("INTERFACES", StringComparison.Ordinal));
        foreach (var fact in new[]
        {
            "1. [error] gateway-unreachable: gateway unreachable: 192.168.12.1 did not answer", "next: ", "macvlan0*", "nic0 (up, mtu 1500)",
            "192.168.12.99/24", "NO ANSWER", "tcp . 8080 : 172.16.100.25 . 80", "(never matched)", "ready yes", "repairs route 1",
            "net.ipv4.ip_forward 1", "note: a note", "172.16.100.25",
        })
        {
            Assert.Contains(fact, text);
        }

        Assert.Contains("VERDICT: HEALTHY", DiagTextWriter.Write(Healthy, [], Time, color: false));
    }

    [Fact]
    public void ConntrackEntriesAreCountedPerRealDestination()
    {
        const string output = """
            tcp      6 431999 ESTABLISHED src=10.128.0.10 dst=10.128.0.2 sport=40000 dport=8080 src=172.16.100.25 dst=192.168.12.99 sport=80 dport=40000 [ASSURED] mark=0 use=1
            tcp      6 119 TIME_WAIT src=10.128.0.10 dst=10.128.0.2 sport=40001 dport=8080 src=172.16.100.25 dst=192.168.12.99 sport=80 dport=40001 [ASSURED] mark=0 use=1
            udp      17 29 src=10.128.0.10 dst=10.128.0.2 sport=5000 dport=7000 src=172.16.100.26 dst=192.168.12.99 sport=7000 dport=5000 mark=0 use=1
            icmp     1 29 src=10.128.0.10 dst=172.16.100.25 type=8 code=0 id=7 src=172.16.100.25 dst=10.128.0.10 type=0 code=0 id=7 mark=0 use=1
            conntrack v1.4.8 (conntrack-tools): 4 flow entries have been shown.
            """;

        var facts = DiagParsers.ParseConntrack(output);

        Assert.True(facts.Available);
        Assert.Equal(4, facts.Total);
        Assert.Equal(new ConntrackDestinationFact("tcp", "172.16.100.25", 80, 2), facts.Destinations[0]);
        Assert.Contains(new ConntrackDestinationFact("udp", "172.16.100.26", 7000, 1), facts.Destinations);
        Assert.Contains(new ConntrackDestinationFact("icmp", "172.16.100.25", null, 1), facts.Destinations);
    }

    [Fact]
    public void TheAgentsHealthIsReadFromItsMetrics()
    {
        const string metrics = """
            # HELP redirect_router_ready 1 once the router is set up and in sync, else 0.
            # TYPE redirect_router_ready gauge
            redirect_router_ready 1
            redirect_router_last_sync_timestamp_seconds 1800000000.25
            redirect_router_repairs_total{kind="route"} 2
            redirect_router_repairs_total{kind="netfilter"} 1
            redirect_router_rule_packets{location="ip redirect_router chain dnat_rules",rule="x"} 5
            """;

        var agent = DiagParsers.ParseAgentMetrics("127.0.0.1:9100", metrics);

        Assert.True(agent.Reachable);
        Assert.True(agent.Ready);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_250), agent.LastSync);
        Assert.Equal(2, agent.Repairs["route"]);
        Assert.Equal(1, agent.Repairs["netfilter"]);
        Assert.False(DiagParsers.ParseAgentMetrics("a", "redirect_router_ready 0\n").Ready);
    }

    [Theory]
    [InlineData("127.0.0.1:9100", true)]
    [InlineData("[::1]:9100", true)]
    [InlineData("localhost:80", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("example.com:80", false)]
    public void MetricsAddresses(string text, bool valid)
    {
        Assert.Equal(valid, DiagCollector.TryParseEndpoint(text, out _));
    }
}
