using System.Net;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Core.Tests.Parsing;

public sealed class NativeConfigParserTests
{
    internal const string TwoHomes = """
        homes:
          - name: corp
            parent: eth1
            mode: bridge
            mtu: 1400
            addresses: [192.0.2.10/24, 2001:db8:1::10/64]
            gateways: [192.0.2.1, 2001:db8:1::1]
            routes:
              - to: 198.51.100.0/24
                via:
                  - address: 192.0.2.254
                    weight: 3
                  - address: 192.0.2.253
                metric: 50
          - name: dmz
            interface: egress1
            parent: eth2
            addresses: [203.0.113.10/24, 2001:db8:2::10/64]
            gateways: [203.0.113.1, 2001:db8:2::1]
            routes:
              - to: 2001:db8:99::/48
                via: [2001:db8:2::fe, 2001:db8:2::fd]
        rules:
          - protocol: tcp
            port: 8080
            destination: 198.51.100.5
            targetPort: 80
          - protocol: udp
            port: 5000-5009
            destination: 2001:db8:99::5
            targetPort: 6000-6009
          - protocol: sctp
            port: 3868
            destination: 192.0.2.77
            home: dmz
        fallback:
          ipv4: 198.51.100.9
          ipv6: 2001:db8:99::9
        settings:
          backend: nftables
          metrics: 127.0.0.1:9100
          announceCount: 3
        """;

    [Fact]
    public void TwoHomeDualStackConfigReadsIntoTheModel()
    {
        var result = ConfigLoader.LoadFile(TwoHomes, "two-homes.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        var config = Assert.IsType<RouterConfig>(result.Config);
        Assert.Equal(ConfigFormat.Native, result.Format);
        Assert.Equal(["corp", "dmz"], config.Homes.Select(h => h.Name));
        var corp = config.Homes[0];
        Assert.Equal("macvlan0", corp.InterfaceName);
        Assert.Equal("eth1", corp.Parent);
        Assert.Equal(MacvlanMode.Bridge, corp.Mode);
        Assert.Equal(1400, corp.Mtu);
        Assert.Equal(new NextHop(IPAddress.Parse("192.0.2.254"), 3), corp.Routes[0].NextHops[0]);
        Assert.Equal(new NextHop(IPAddress.Parse("192.0.2.253"), 1), corp.Routes[0].NextHops[1]);
        Assert.Equal(50, corp.Routes[0].Metric);
        Assert.Equal("egress1", config.Homes[1].InterfaceName);
        Assert.Equal(MacvlanMode.Private, config.Homes[1].Mode);
        Assert.Equal(new PortRange(5000, 5009), config.Rules[1].LocalPorts);
        Assert.Equal(new PortRange(6000, 6009), config.Rules[1].TargetPorts);
        Assert.Null(config.Rules[0].Home);
        Assert.Equal("dmz", config.Rules[2].Home);
        Assert.Equal(IPAddress.Parse("2001:db8:99::9"), config.Fallback.IPv6);
        Assert.Equal(NetfilterBackend.Nftables, config.Settings.Backend);
        Assert.Equal(3, config.Settings.AnnounceCount);
    }

    [Fact]
    public void TheSameConfigInJSONReadsToTheSameModelAndTheWritersRoundTrip()
    {
        var yaml = ConfigLoader.LoadFile(TwoHomes, "a.yaml").Config!;
        var json = Serialization.NativeConfigWriter.ToJson(yaml);
        Assert.StartsWith("{", json, StringComparison.Ordinal);

        var fromJson = ConfigLoader.LoadFile(json, "a.json");
        var fromYaml = ConfigLoader.LoadFile(Serialization.NativeConfigWriter.ToYaml(yaml), "b.yaml");

        Assert.Equal(yaml, fromJson.Config);
        Assert.Equal(yaml, fromYaml.Config);
    }

    [Fact]
    public void SamePortOnDifferentProtocolsIsAllowedInNativeInput()
    {
        var text = """
            homes: [{name: a, addresses: [192.0.2.10/24], gateways: [192.0.2.1]}]
            rules:
              - {protocol: tcp, port: 53, destination: 203.0.113.53}
              - {protocol: udp, port: 53, destination: 203.0.113.53}
            """;

        var result = ConfigLoader.LoadFile(text, "dns.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.Config!.Rules.Count);
    }

    [Fact]
    public void GatewayOutsideTheSubnetIsAcceptedWhenMarkedOnLink()
    {
        var text = "homes: [{addresses: [192.0.2.10/32], gateways: [192.0.2.1], onLink: true}]\nfallback: {ipv4: 203.0.113.9}\n";

        var result = ConfigLoader.LoadFile(text, "onlink.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.True(result.Config!.Homes[0].GatewayOnLink);
        Assert.Equal("home0", result.Config.Homes[0].Name);
    }

    [Fact]
    public void UnknownKeySuggestsTheNearestKnownKey()
    {
        var result = ConfigLoader.LoadFile("homes: [{addresses: [192.0.2.10/24], gatways: [192.0.2.1]}]\nfallback: {ipv4: 203.0.113.9}\n", "typo.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.UnknownKey, error.Code);
        Assert.Equal("homes[0].gatways", error.Location.KeyPath);
        Assert.Equal("did you mean 'gateways'?", error.Hint);
        Assert.Equal("error RR2002 homes[0].gatways (typo.yaml:1): unknown key 'gatways' hint: did you mean 'gateways'?", error.ToString());
    }

    [Fact]
    public void RulesLeaveByTheHomeWhoseRoutesCoverTheDestination()
    {
        var config = ConfigLoader.LoadFile(TwoHomes, "a.yaml").Config!;

        Assert.Equal("corp", Validation.HomeSelector.Select(config, IPAddress.Parse("198.51.100.5"), null)!.Name);
        Assert.Equal("dmz", Validation.HomeSelector.Select(config, IPAddress.Parse("2001:db8:99::5"), null)!.Name);
        Assert.Equal("dmz", Validation.HomeSelector.Select(config, IPAddress.Parse("203.0.113.77"), null)!.Name);
        // Nothing covers it: the first home.
        Assert.Equal("corp", Validation.HomeSelector.Select(config, IPAddress.Parse("8.8.8.8"), null)!.Name);
        Assert.Null(Validation.HomeSelector.Select(config, IPAddress.Parse("8.8.8.8"), "nowhere"));
    }
}
