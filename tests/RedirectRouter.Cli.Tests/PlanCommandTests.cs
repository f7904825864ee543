using System.Text.Json;

namespace RedirectRouter.Cli.Tests;

public sealed class PlanCommandTests
{
    [Fact]
    public void JsonPlanOfATwoHomeDualStackECMPConfigMatchesTheExpectedDocument()
    {
        var cli = new CliHarness();
        cli.Files["two-homes.yaml"] = CliHarness.Expected("two-homes.yaml");

        var (exit, stdout, stderr) = cli.Run("plan", "--config", "two-homes.yaml", "--output", "json");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("", stderr);
        using var actual = JsonDocument.Parse(stdout);
        using var expected = JsonDocument.Parse(CliHarness.Expected("two-homes-plan.json"));
        Assert.True(JsonElement.DeepEquals(expected.RootElement, actual.RootElement), stdout);
    }

    [Fact]
    public void TextPlanOfTheOpenShiftEnvironmentShowsTheScriptsRoutesAndTheNATModel()
    {
        var cli = new CliHarness().WithOpenShift("192.168.12.99/24", "192.168.12.1", "8080 tcp 10.7.8.9 80\n10.1.2.3");

        var (exit, stdout, stderr) = cli.Run("plan");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("", stderr);
        Assert.Equal(
            """
            # links
            link macvlan0: adopt if present, else create macvlan on (default-route NIC) mode private (home default)
            # addresses
            address 192.168.12.99/24 dev macvlan0
            # routes
            route 192.168.12.1/32 dev macvlan0 scope link table main
            route default via 192.168.12.1 dev macvlan0 src 192.168.12.99 table main
            # rules
            # nat
            dnat in eth0 tcp port 8080 to 10.7.8.9 port 80 via home default
            dnat in eth0 ipv4 all other traffic to 10.1.2.3 via home default
            snat out macvlan0 to 192.168.12.99 (home default)
            # netfilter ruleset: not rendered in this build (the NAT model above is what it will hold)

            """.ReplaceLineEndings("\n"),
            stdout);
    }

    [Fact]
    public void InvalidInputPrintsErrorsAndNoPlan()
    {
        var cli = new CliHarness().WithOpenShift("192.168.12.99/24", "192.168.12.1", "80 tcp 10.7.8.999");

        var (exit, stdout, stderr) = cli.Run("plan", "--output", "json");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("error RR1004 EGRESS_DESTINATION:1:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOptionValueIsAUsageError()
    {
        var (exit, stdout, stderr) = new CliHarness().Run("plan", "--backend", "ebpf");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.Contains("ebpf", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegisteredRendererOutputIsPrintedForTheChosenBackend()
    {
        var stdout = new StringWriter();
        var env = new Dictionary<string, string> { ["EGRESS_SOURCE"] = "1.2.3.4", ["EGRESS_GATEWAY"] = "1.2.3.1", ["EGRESS_DESTINATION"] = "10.1.2.3" };
        var context = new CliContext(stdout, new StringWriter(), env, _ => throw new IOException("no files"));
        context.Renderers.Add(new FakeRenderer("iptables"));
        context.Renderers.Add(new FakeRenderer("nftables"));

        Assert.Equal(0, CommandLineRunner.Run(["plan", "--backend", "iptables"], context));

        Assert.EndsWith("# iptables ruleset\niptables: 1 fallback(s) on eth0\n", stdout.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private sealed class FakeRenderer(string backend) : Core.Planning.IRulesetRenderer
    {
        public string Backend => backend;

        public string Render(Core.Planning.NatModel nat) => $"{backend}: {nat.Fallbacks.Count} fallback(s) on {nat.ClusterInterface}\n";
    }
}
