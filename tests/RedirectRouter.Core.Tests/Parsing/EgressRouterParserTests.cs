using System.Net;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Core.Tests.Parsing;

public sealed class EgressRouterParserTests
{
    // The example of the OpenShift documentation ("Deploying an egress router pod in redirect mode").
    private const string Documented = """
        apiVersion: network.operator.openshift.io/v1
        kind: EgressRouter
        metadata:
          name: egress-router-redirect
        spec:
          networkInterface: {
            macvlan: {
              mode: "Bridge"
            }
          }
          addresses: [
            {
              ip: "192.168.12.99/24",
              gateway: "192.168.12.1"
            }
          ]
          mode: Redirect
          redirect: {
            redirectRules: [
              {
                destinationIP: "10.0.0.99",
                port: 80,
                protocol: UDP
              },
              {
                destinationIP: "203.0.113.26",
                port: 8080,
                targetPort: 80,
                protocol: TCP
              },
              {
                destinationIP: "203.0.113.27",
                port: 8443,
                targetPort: 443,
                protocol: TCP
              }
            ]
          }
        """;

    [Fact]
    public void Documented_example_reads_into_one_home_with_three_rules()
    {
        var result = ConfigLoader.LoadFile(Documented, "router.yaml");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(ConfigFormat.EgressRouterResource, result.Format);
        var config = result.Config!;
        var home = Assert.Single(config.Homes);
        Assert.Equal(MacvlanMode.Bridge, home.Mode);
        Assert.Null(home.Parent);
        Assert.True(home.GatewayOnLink);
        Assert.Equal(new InterfaceAddress(IPAddress.Parse("192.168.12.99"), 24), Assert.Single(home.Addresses));
        Assert.Equal(
            [
                new RedirectRule(Protocol.Udp, PortRange.Single(80), IPAddress.Parse("10.0.0.99"), null, null),
                new RedirectRule(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("203.0.113.26"), PortRange.Single(80), null),
                new RedirectRule(Protocol.Tcp, PortRange.Single(8443), IPAddress.Parse("203.0.113.27"), PortRange.Single(443), null),
            ],
            config.Rules);
        Assert.Equal(FallbackDestinations.None, config.Fallback);
    }

    [Fact]
    public void Json_resource_with_ipv6_fallback_master_and_lower_case_protocol()
    {
        var json = """
            {
              "apiVersion": "network.operator.openshift.io/v1",
              "kind": "EgressRouter",
              "spec": {
                "addresses": [{"ip": "2001:db8::99/64", "gateway": "2001:db8::1"}],
                "networkInterface": {"macvlan": {"mode": "Private", "master": "ens4"}},
                "redirect": {
                  "redirectRules": [{"destinationIP": "2001:db8:5::5/128", "port": 443, "protocol": "sctp"}],
                  "fallbackIP": "2001:db8:5::9"
                }
              }
            }
            """;

        var result = ConfigLoader.LoadFile(json, "router.json");

        Assert.Empty(result.Diagnostics);
        var home = result.Config!.Homes[0];
        Assert.Equal("ens4", home.Parent);
        Assert.Equal(MacvlanMode.Private, home.Mode);
        Assert.Equal(Protocol.Sctp, result.Config.Rules[0].Protocol);
        Assert.Equal(IPAddress.Parse("2001:db8:5::5"), result.Config.Rules[0].Destination);
        Assert.Equal(IPAddress.Parse("2001:db8:5::9"), result.Config.Fallback.IPv6);
        Assert.Null(result.Config.Fallback.IPv4);
    }
}
