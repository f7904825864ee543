namespace RedirectRouter.Cli.Tests;

/// <summary>No command: the OpenShift image's entrypoint, driven by EGRESS_ROUTER_MODE.</summary>
public sealed class EntrypointTests
{
    [Fact]
    public void UnitTestModePrintsExactlyTheScriptsRules()
    {
        var cli = new CliHarness().WithOpenShift("1.2.3.4/24", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n10.1.2.3", "unit-test");

        var (exit, stdout, stderr) = cli.Run();

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n"
            + "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n"
            + "-A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4\n",
            stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void UnitTestModeOnBadInputPrintsRulesUpToTheErrorThenTheScriptsMessageAndExits1()
    {
        var cli = new CliHarness().WithOpenShift("1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n10.1.2.3\n8080 tcp 10.7.8.9 80", "unit-test");

        var (exit, stdout, stderr) = cli.Run();

        Assert.Equal(ExitCodes.RuntimeFailure, exit);
        Assert.Equal(
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n",
            stdout);
        Assert.Equal("EGRESS_DESTINATION fallback IP must be the last line", stderr.TrimEnd('\n').Split('\n')[^1]);
    }

    [Fact]
    public void UnknownModeExits2WithTheScriptsMessage()
    {
        var cli = new CliHarness().WithOpenShift("1.2.3.4", "1.1.1.1", "10.1.2.3", "router");

        Assert.Equal((ExitCodes.BadInput, "", "Unrecognized EGRESS_ROUTER_MODE 'router'\n"), cli.Run());
    }

    [Theory]
    [InlineData("init")]
    [InlineData("legacy")]
    [InlineData(null)]
    [InlineData("http-proxy")]
    public void AgentModesAreNotAvailableYetAndSaySo(string? mode)
    {
        var cli = new CliHarness().WithOpenShift("1.2.3.4", "1.1.1.1", "10.1.2.3", mode);

        var (exit, stdout, stderr) = cli.Run();

        Assert.Equal(ExitCodes.RuntimeFailure, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"EGRESS_ROUTER_MODE '{mode ?? "legacy"}' is not available yet in this build", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentModesWithBadInputReportEveryErrorAndExit2()
    {
        var cli = new CliHarness().WithOpenShift("1.2.3.4", "nope", "bad", "init");

        var (exit, _, stderr) = cli.Run();

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal(["RR1002", "RR1004"], stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]));
    }

    [Fact]
    public void ARegisteredRunnerGetsTheValidatedConfig()
    {
        var env = new Dictionary<string, string> { ["EGRESS_SOURCE"] = "1.2.3.4", ["EGRESS_GATEWAY"] = "1.2.3.1", ["EGRESS_DESTINATION"] = "10.1.2.3", ["EGRESS_ROUTER_MODE"] = "init" };
        var context = new CliContext(new StringWriter(), new StringWriter(), env, _ => throw new IOException());
        var runner = new RecordingRunner();
        context.EntrypointRunner = runner;

        Assert.Equal(7, CommandLineRunner.Run([], context));
        Assert.Equal(Core.Parsing.OpenShift.OpenShiftRouterMode.Init, runner.Mode);
        Assert.Equal(System.Net.IPAddress.Parse("10.1.2.3"), runner.Config!.Fallback.IPv4);
    }

    private sealed class RecordingRunner : IEntrypointRunner
    {
        public Core.Parsing.OpenShift.OpenShiftRouterMode Mode { get; private set; }

        public Core.Model.RouterConfig? Config { get; private set; }

        public int Run(Core.Parsing.OpenShift.OpenShiftRouterMode mode, Core.Model.RouterConfig config, CliContext context)
        {
            (Mode, Config) = (mode, config);
            return 7;
        }
    }
}
