using System.Net;
using RedirectRouter.Core.Diagnostics;
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
    public void DocumentedExampleReadsIntoOneHomeWithThreeRules()
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
    public void JsonResourceWithIpv6FallbackMasterAndLowerCaseProtocol()
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

    // The same resource written as JSON (oc get egressrouter NAME -o json prints this shape).
    private const string DocumentedJson = """
        {
          "apiVersion": "network.operator.openshift.io/v1",
          "kind": "EgressRouter",
          "metadata": {"name": "egress-router-redirect"},
          "spec": {
            "networkInterface": {"macvlan": {"mode": "Bridge"}},
            "addresses": [{"ip": "192.168.12.99/24", "gateway": "192.168.12.1"}],
            "mode": "Redirect",
            "redirect": {
              "redirectRules": [
                {"destinationIP": "10.0.0.99", "port": 80, "protocol": "UDP"},
                {"destinationIP": "203.0.113.26", "port": 8080, "targetPort": 80, "protocol": "TCP"},
                {"destinationIP": "203.0.113.27", "port": 8443, "targetPort": 443, "protocol": "TCP"}
              ]
            }
          }
        }
        """;

    [Fact]
    public void DocumentedExampleInJsonReadsAsTheYamlOne()
    {
        var yaml = ConfigLoader.LoadFile(Documented, "router.yaml");
        var json = ConfigLoader.LoadFile(DocumentedJson, "router.json");

        Assert.Empty(json.Diagnostics);
        Assert.Equal(ConfigFormat.EgressRouterResource, json.Format);
        Assert.Equal(yaml.Config!.Homes, json.Config!.Homes);
        Assert.Equal(yaml.Config.Rules, json.Config.Rules);
        Assert.Equal(yaml.Config.Fallback, json.Config.Fallback);
    }

    // The example of the egress-router-cni documentation ("Using Egress Router CNI with a CNO controller"):
    // a leading document marker, trailing commas in flow collections, no networkInterface (defaulted).
    private const string CniExample = """
        ---
        apiVersion: network.operator.openshift.io/v1
        kind: EgressRouter
        metadata:
          name: egress-router-test
        spec:
          addresses: [
            {
              ip: "192.168.3.10/24",
              gateway: "192.168.3.1",
            },
          ]
          mode: Redirect
          redirect: {
            redirectRules: [
              {
                destinationIP: "10.100.3.0",
                port: 80,
                protocol: UDP,
              },
              {
                destinationIP: "203.0.113.26",
                port: 8080,
                protocol: TCP,
                targetPort: 80
              },
              {
                destinationIP: "203.0.113.27",
                port: 8443,
                protocol: TCP,
                targetPort: 443
              },
            ]
          }

        """;

    [Fact]
    public void EgressRouterCniExampleReadsWithTheDefaultInterface()
    {
        var result = ConfigLoader.LoadFile(CniExample, "cr.yaml");

        Assert.Empty(result.Diagnostics);
        var home = Assert.Single(result.Config!.Homes);
        Assert.Equal(MacvlanMode.Bridge, home.Mode);
        Assert.Null(home.Parent);
        Assert.Equal([new InterfaceAddress(IPAddress.Parse("192.168.3.10"), 24)], home.Addresses);
        Assert.Equal([IPAddress.Parse("192.168.3.1")], home.Gateways);
        Assert.Equal(
            [
                new RedirectRule(Protocol.Udp, PortRange.Single(80), IPAddress.Parse("10.100.3.0"), null, null),
                new RedirectRule(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("203.0.113.26"), PortRange.Single(80), null),
                new RedirectRule(Protocol.Tcp, PortRange.Single(8443), IPAddress.Parse("203.0.113.27"), PortRange.Single(443), null),
            ],
            result.Config.Rules);
    }

    private static string Resource(string addresses, string redirect) => $$"""
        apiVersion: network.operator.openshift.io/v1
        kind: EgressRouter
        metadata:
          name: r
        spec:
          addresses: {{addresses}}
          mode: Redirect
          redirect: {{redirect}}
        """;

    [Fact]
    public void TwoAddressesOnOneSubnetWithOneGatewayAreBothAssignedWithOneGatewayAndNoFinding()
    {
        var result = ConfigLoader.LoadFile(Resource(
            "[{ip: 192.168.12.99/24, gateway: 192.168.12.1}, {ip: 192.168.12.98/24, gateway: 192.168.12.1}]",
            "{fallbackIP: 203.0.113.9}"), "r.yaml");

        Assert.Empty(result.Diagnostics);
        var home = Assert.Single(result.Config!.Homes);
        Assert.Equal([new InterfaceAddress(IPAddress.Parse("192.168.12.99"), 24), new InterfaceAddress(IPAddress.Parse("192.168.12.98"), 24)], home.Addresses);
        Assert.Equal([IPAddress.Parse("192.168.12.1")], home.Gateways);
        // The first address is the SNAT source, as OpenShift's addresses[0].
        Assert.Equal(IPAddress.Parse("192.168.12.99"), home.SourceFor(System.Net.Sockets.AddressFamily.InterNetwork)!.Address);
    }

    [Fact]
    public void ASecondGatewayOfTheSameFamilyIsLeftOutWithAWarningAndTheAddressIsKept()
    {
        var result = ConfigLoader.LoadFile(Resource(
            "[{ip: 192.168.12.99/24, gateway: 192.168.12.1}, {ip: 192.168.13.99/24, gateway: 192.168.13.1}, {ip: '2001:db8::9/64', gateway: '2001:db8::1'}]",
            "{fallbackIP: 203.0.113.9}"), "r.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.GatewayIgnored, DiagnosticSeverity.Warning, "spec.addresses[1].gateway"), (warning.Code, warning.Severity, warning.Location.KeyPath));
        Assert.Contains("spec.addresses[0].gateway", warning.Message, StringComparison.Ordinal);
        var home = result.Config!.Homes[0];
        Assert.Equal(3, home.Addresses.Count);
        // One gateway per family: the IPv6 one is the first of its family and is kept.
        Assert.Equal([IPAddress.Parse("192.168.12.1"), IPAddress.Parse("2001:db8::1")], home.Gateways);
    }

    [Fact]
    public void ARepeatedPortAndProtocolKeepsTheFirstRuleWithAWarningAndOtherProtocolsAreNoRepeat()
    {
        var result = ConfigLoader.LoadFile(Resource(
            "[{ip: 192.168.12.99/24, gateway: 192.168.12.1}]",
            """
            {redirectRules: [
                {destinationIP: 10.0.0.1, port: 80, protocol: TCP},
                {destinationIP: 10.0.0.2, port: 80, protocol: UDP},
                {destinationIP: 10.0.0.3, port: 80, protocol: TCP, targetPort: 8080}]}
            """), "r.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.RedirectRuleShadowed, DiagnosticSeverity.Warning, "spec.redirect.redirectRules[2].port"), (warning.Code, warning.Severity, warning.Location.KeyPath));
        Assert.Contains("spec.redirect.redirectRules[0]", warning.Message, StringComparison.Ordinal);
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")], result.Config!.Rules.Select(r => r.Destination));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{redirectRules: []}")]
    public void AnEmptyRedirectForwardsNothingWithAWarning(string redirect)
    {
        var result = ConfigLoader.LoadFile(Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.1}]", redirect), "r.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.NothingRedirected, DiagnosticSeverity.Warning, "spec.redirect"), (warning.Code, warning.Severity, warning.Location.KeyPath));
        Assert.Empty(result.Config!.Rules);
        Assert.Equal(FallbackDestinations.None, result.Config.Fallback);
    }

    [Fact]
    public void AnInvalidRuleIsNotMistakenForAnEmptyRedirect()
    {
        var result = ConfigLoader.LoadFile(Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.1}]", "{redirectRules: [{destinationIP: 10.0.0.1, port: 0, protocol: TCP}]}"), "r.yaml");

        Assert.Equal([DiagnosticCodes.InvalidPort], result.Diagnostics.Select(d => d.Code));
        Assert.Null(result.Config);
    }

    // What "oc get egressrouter -o yaml" prints: a List with server-set metadata and status.
    private const string OcGetList = """
        apiVersion: v1
        items:
        - apiVersion: network.operator.openshift.io/v1
          kind: EgressRouter
          metadata:
            creationTimestamp: "2024-05-02T10:11:12Z"
            generation: 1
            name: egress-router-redirect
            namespace: default
            resourceVersion: "123456"
            uid: 5a0b2c3d-1111-2222-3333-444455556666
          spec:
            addresses:
            - gateway: 192.168.12.1
              ip: 192.168.12.99/24
            mode: Redirect
            networkInterface:
              macvlan:
                mode: Bridge
            redirect:
              fallbackIP: 203.0.113.99
              redirectRules:
              - destinationIP: 10.0.0.99
                port: 80
                protocol: UDP
          status:
            conditions:
            - lastTransitionTime: "2024-05-02T10:11:20Z"
              message: ""
              reason: ""
              status: "True"
              type: Available
        kind: List
        metadata:
          resourceVersion: ""
        """;

    [Fact]
    public void AListHoldingOneEgressRouterReadsItsItemWithAWarning()
    {
        var result = ConfigLoader.LoadFile(OcGetList, "list.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.ListWrapper, DiagnosticSeverity.Warning, "kind"), (warning.Code, warning.Severity, warning.Location.KeyPath));
        Assert.Equal(ConfigFormat.EgressRouterResource, result.Format);
        Assert.Equal([new InterfaceAddress(IPAddress.Parse("192.168.12.99"), 24)], result.Config!.Homes[0].Addresses);
        Assert.Equal(IPAddress.Parse("10.0.0.99"), Assert.Single(result.Config.Rules).Destination);
        Assert.Equal(IPAddress.Parse("203.0.113.99"), result.Config.Fallback.IPv4);
    }

    [Fact]
    public void AJsonListAsOcGetPrintsItReadsItsItemToo()
    {
        var json = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [" + DocumentedJson + "], \"metadata\": {\"resourceVersion\": \"\"}}";

        var result = ConfigLoader.LoadFile(json, "list.json");

        Assert.Equal([DiagnosticCodes.ListWrapper], result.Diagnostics.Select(d => d.Code));
        Assert.Equal(3, result.Config!.Rules.Count);
    }

    [Fact]
    public void FindingsInsideAListAreNamedUnderItsItem()
    {
        var result = ConfigLoader.LoadFile(OcGetList.Replace("port: 80", "prot: 80", StringComparison.Ordinal), "list.yaml");

        Assert.Null(result.Config);
        Assert.Equal(
            [
                (DiagnosticCodes.UnknownKey, "items[0].spec.redirect.redirectRules[0].prot"),
                (DiagnosticCodes.ListWrapper, "kind"),
            ],
            result.Diagnostics.Select(d => (d.Code, d.Location.KeyPath)).Order().ToList());
    }
}
