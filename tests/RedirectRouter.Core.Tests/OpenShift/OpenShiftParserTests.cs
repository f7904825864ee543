using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Core.Tests.OpenShift;

public sealed class OpenShiftParserTests
{
    [Fact]
    public void ValidEnvironmentGivesOneHomeLikeTheScriptSetsUp()
    {
        var env = ScriptRun.Env("192.168.12.99/24", "192.168.12.1", "80 tcp 10.4.5.6\n8080 udp 10.7.8.9 80\n203.0.113.9", mode: "init");
        env["EGRESS_ROUTER_PARENT"] = "eth1";
        env["EGRESS_ROUTER_MACVLAN_MODE"] = "Bridge";
        env["EGRESS_ROUTER_HOST_NETNS"] = "/host/proc/1/ns/net";
        env["EGRESS_ROUTER_DEBUG"] = "1";

        var result = OpenShiftEnvironmentParser.Parse(env);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(OpenShiftRouterMode.Init, result.Mode);
        var config = result.Config!;
        var home = Assert.Single(config.Homes);
        Assert.Equal("macvlan0", home.InterfaceName);
        Assert.Equal(LinkOrigin.AdoptOrCreate, home.Origin);
        Assert.Equal("eth1", home.Parent);
        Assert.Equal(MacvlanMode.Bridge, home.Mode);
        Assert.Equal(new InterfaceAddress(IPAddress.Parse("192.168.12.99"), 24), home.Addresses[0]);
        Assert.Equal([IPAddress.Parse("192.168.12.1")], home.Gateways);
        Assert.True(home.GatewayOnLink);
        Assert.Equal(
            [
                new RedirectRule(Protocol.Tcp, PortRange.Single(80), IPAddress.Parse("10.4.5.6"), null, null),
                new RedirectRule(Protocol.Udp, PortRange.Single(8080), IPAddress.Parse("10.7.8.9"), PortRange.Single(80), null),
            ],
            config.Rules);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), config.Fallback.IPv4);
        Assert.True(config.Settings.Debug);
        Assert.Equal("/host/proc/1/ns/net", config.Settings.HostNetns);
        Assert.Equal("eth0", config.Settings.ClusterInterface);
    }

    [Theory]
    [InlineData(null, OpenShiftRouterMode.Legacy)]
    [InlineData("", OpenShiftRouterMode.Legacy)]
    [InlineData("legacy", OpenShiftRouterMode.Legacy)]
    [InlineData("init", OpenShiftRouterMode.Init)]
    [InlineData("http-proxy", OpenShiftRouterMode.HttpProxy)]
    [InlineData("dns-proxy", OpenShiftRouterMode.DnsProxy)]
    [InlineData("unit-test", OpenShiftRouterMode.UnitTest)]
    [InlineData("Init", OpenShiftRouterMode.Unknown)]
    public void Mode_is_read_exactly_as_the_script_matches_it(string? text, OpenShiftRouterMode expected)
    {
        var env = ScriptRun.Env("1.2.3.4", "1.1.1.1", "10.1.2.3");
        env.Remove("EGRESS_ROUTER_MODE");
        if (text is not null)
        {
            env["EGRESS_ROUTER_MODE"] = text;
        }

        Assert.Equal(expected, OpenShiftEnvironmentParser.Parse(env).Mode);
    }

    [Fact]
    public void ProxyModesNeedNoDestinationBecauseTheScriptNeverReadsIt()
    {
        var result = OpenShiftEnvironmentParser.Parse(ScriptRun.Env("1.2.3.4", "1.1.1.1", null, mode: "http-proxy"));

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Config!.Rules);
    }

    [Fact]
    public void UnknownModeIsReportedWithTheScriptsMessage()
    {
        var result = OpenShiftEnvironmentParser.Parse(ScriptRun.Env("1.2.3.4", "1.1.1.1", "10.1.2.3", mode: "proxy"));

        Assert.Equal("Unrecognized EGRESS_ROUTER_MODE 'proxy'", result.FirstScriptError!.ScriptMessage);
    }

    [Fact]
    public void EveryErrorIsReportedAtOnceInTheScriptsOrder()
    {
        var result = OpenShiftEnvironmentParser.Parse(ScriptRun.Env("x", "y", "80 tcp 10.4.5.6\nbad line\n0 udp 1.1.1.1"));

        Assert.Equal(["RR1001", "RR1002", "RR1004", "RR1006"], result.Diagnostics.Select(d => d.Code));
        Assert.Equal("EGRESS_SOURCE unspecified or invalid", result.FirstScriptError!.ScriptMessage);
        Assert.Equal("error RR1004 EGRESS_DESTINATION:2: 'bad line' is not 'PORT PROTO IP', 'PORT PROTO IP PORT' or a lone 'IP' hint: write 'PORT PROTO IP', 'PORT PROTO IP PORT' or a lone fallback 'IP'",
            result.Diagnostics[2].ToString());
        Assert.Null(result.Config);
    }

    [Fact]
    public void HintsExplainCommonMistakes()
    {
        var result = OpenShiftEnvironmentParser.Parse(ScriptRun.Env("1.2.3.4", "1.1.1.1", "80 TCP 10.4.5.6\n81\ttcp 10.4.5.6\n82 tcp 10.4.5.6\r"));

        Assert.Equal(
            ["write the protocol in lower case: tcp", "separate fields with spaces, not tabs", "the line ends with a carriage return: save the file with Unix (LF) line ends"],
            result.Diagnostics.Select(d => d.Hint));
    }

    [Fact]
    public void ReadSplitsLinesLikeTheShell()
    {
        var lines = OpenShiftEnvironmentParser.ReadLines("  a b  \n\\#x\nc\\\nd\n\te\\ \n").ToList();

        Assert.Equal([(1, "a b"), (2, "#x"), (3, "cd"), (5, "e ")], lines);
    }
}
