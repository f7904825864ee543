using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Tests.OpenShift;

namespace RedirectRouter.Core.Tests.AddressValidation;

/// <summary>Special destinations and sources, the link-local opt-in, and rules that would take the metrics port.</summary>
public sealed class AddressRulesTests
{
    private const string Home = """
        homes:
          - name: corp
            parent: eth1
            addresses: [192.0.2.10/24, 2001:db8:1::10/64]
            gateways: [192.0.2.1, 2001:db8:1::1]

        """;

    [Fact]
    public void LinkLocalDestinationsValidateOnlyWithTheOptIn()
    {
        const string rules = """
            rules:
              - { protocol: tcp, port: 80, destination: 169.254.169.254 }
              - { protocol: tcp, port: 81, destination: "fe80::1" }
            fallback: { ipv4: 169.254.0.1 }

            """;

        var without = ConfigLoader.LoadFile(Home + rules, "c.yaml");
        var with = ConfigLoader.LoadFile(Home + rules + "settings: { allowLinkLocalDestinations: true }\n", "c.yaml");

        Assert.Equal(3, without.Diagnostics.Count(d => d.Code == DiagnosticCodes.LinkLocalDestination));
        Assert.False(with.HasErrors, string.Join('\n', with.Diagnostics));
        Assert.True(with.Config!.Settings.AllowLinkLocalDestinations);
    }

    [Fact]
    public void TheOptInDoesNotAdmitLoopbackMulticastOrBroadcast()
    {
        var result = ConfigLoader.LoadFile(Home + """
            rules:
              - { protocol: tcp, port: 80, destination: 127.0.0.53 }
              - { protocol: udp, port: 81, destination: 239.1.1.1 }
              - { protocol: udp, port: 82, destination: 255.255.255.255 }
            settings: { allowLinkLocalDestinations: true }

            """, "c.yaml");

        Assert.Equal(3, result.Diagnostics.Count(d => d.Code == DiagnosticCodes.SpecialDestination && d.IsError));
    }

    [Fact]
    public void OrdinaryDestinationsAndAUdpRuleOnTheMetricsPortStayValid()
    {
        var result = ConfigLoader.LoadFile(Home + """
            rules:
              - { protocol: tcp, port: 9000-9099, destination: 203.0.113.5 }
              - { protocol: udp, port: 9100, destination: 203.0.113.5 }
              - { protocol: tcp, port: 443, destination: "2001:db8:99::5" }
            fallback: { ipv4: 198.51.100.9 }
            settings: { metrics: 0.0.0.0:9100 }

            """, "c.yaml");

        Assert.False(result.HasErrors, string.Join('\n', result.Diagnostics));
    }

    [Fact]
    public void ARuleCoveringTheMetricsPortNamesBoth()
    {
        var result = ConfigLoader.LoadFile(Home + """
            rules:
              - { protocol: tcp, port: 9000-9200, destination: 203.0.113.5 }
            settings: { metrics: 0.0.0.0:9100 }

            """, "c.yaml");

        var error = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.RuleCoversMetricsPort);
        Assert.Contains("9000-9200", error.Message, StringComparison.Ordinal);
        Assert.Contains("metrics port 9100", error.Message, StringComparison.Ordinal);
        Assert.Equal("rules[0].port", error.Location.KeyPath);
    }

    [Theory]
    [InlineData("0.0.0.0", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid")]
    [InlineData("10.0.0.5/0", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid")]
    [InlineData("1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 127.0.0.1 80", "EGRESS_DESTINATION value '8080 tcp 127.0.0.1 80' is invalid")]
    [InlineData("1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n224.0.0.1", "EGRESS_DESTINATION value '224.0.0.1' is invalid")]
    [InlineData("1.2.3.4", "1.1.1.1", "169.254.169.254", "EGRESS_DESTINATION value '169.254.169.254' is invalid")]
    public void UnitTestModeEndsWithTheScriptsMessage(string source, string gateway, string destination, string message)
    {
        var (stdout, error) = ScriptRun.Run(source, gateway, destination);

        Assert.Equal(message, error);
        // Lines before the bad one are printed as the script prints them; the bad one is not.
        Assert.DoesNotContain("127.0.0.1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("224.0.0.1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SNAT", stdout, StringComparison.Ordinal);
    }
}
