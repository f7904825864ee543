namespace RedirectRouter.Cli.Tests;

/// <summary>
/// <c>validate</c> on EgressRouter resources: what OpenShift accepts and runs exits 0, with a warning naming the key
/// where part of it has no effect; what the API server or the operator refuses exits 2 with the key named.
/// </summary>
public sealed class EgressRouterValidateTests
{
    private static string Resource(string addresses, string redirect, string extra = "") => $$"""
        apiVersion: network.operator.openshift.io/v1
        kind: EgressRouter
        metadata:
          name: egress-router-redirect
        spec:
          addresses: {{addresses}}
          mode: Redirect
          redirect: {{redirect}}
        {{extra}}
        """;

    private const string OneAddress = "[{ip: 192.168.12.99/24, gateway: 192.168.12.1}]";

    public static TheoryData<string, string, string> Tolerated => new()
    {
        {
            Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 80, protocol: TCP}, {destinationIP: 10.0.0.2, port: 80, protocol: TCP}]}"),
            "warning RR3101 spec.redirect.redirectRules[1].port (r.yaml:8): ", "1 rule(s)"
        },
        {
            Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.1}, {ip: 192.168.13.99/24, gateway: 192.168.13.1}]", "{fallbackIP: 203.0.113.9}"),
            "warning RR3102 spec.addresses[1].gateway (r.yaml:6): ", "0 rule(s)"
        },
        { Resource(OneAddress, "{}"), "warning RR3103 spec.redirect (r.yaml:8): ", "0 rule(s)" },
        {
            "apiVersion: v1\nkind: List\nitems:\n- " + Resource(OneAddress, "{fallbackIP: 203.0.113.9}").Replace("\n", "\n  ", StringComparison.Ordinal) + "\nmetadata: {resourceVersion: ''}\n",
            "warning RR3104 kind (r.yaml:2): ", "0 rule(s)"
        },
        {
            Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.1}, {ip: 192.168.12.99/24}]", "{fallbackIP: 203.0.113.9}"),
            "warning RR3105 spec.addresses[1].ip (r.yaml:6): ", "0 rule(s)"
        },
    };

    [Theory]
    [MemberData(nameof(Tolerated))]
    public void AcceptedUpstreamExits0WithAWarningNamingTheKey(string resource, string warning, string rules)
    {
        var cli = new CliHarness();
        cli.Files["r.yaml"] = resource;

        var (exit, stdout, stderr) = cli.Run("validate", "--config", "r.yaml");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal($"r.yaml: valid (1 home(s), {rules}, 1 warning(s))\n", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(warning, line, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoAddressesOnOneSubnetNamingOneGatewayAreValidWithoutAFinding()
    {
        var cli = new CliHarness();
        cli.Files["r.yaml"] = Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.1}, {ip: 192.168.12.98/24, gateway: 192.168.12.1}]", "{fallbackIP: 203.0.113.9}");

        Assert.Equal((ExitCodes.Ok, "r.yaml: valid (1 home(s), 0 rule(s), 0 warning(s))\n", ""), cli.Run("validate", "--config", "r.yaml"));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        // The CRD's schema.
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 0, protocol: TCP}]}"), "error RR2005 spec.redirect.redirectRules[0].port (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 65536, protocol: TCP}]}"), "error RR2005 spec.redirect.redirectRules[0].port (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 80, protocol: TCP, targetPort: 0}]}"), "error RR2005 spec.redirect.redirectRules[0].targetPort (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 80, protocol: ICMP}]}"), "error RR2007 spec.redirect.redirectRules[0].protocol (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{port: 80, protocol: TCP}]}"), "error RR2009 spec.redirect.redirectRules[0].destinationIP (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, protocol: TCP}]}"), "error RR2009 spec.redirect.redirectRules[0].port (r.yaml:8)" },
        { Resource(OneAddress, "{redirectRules: [{destinationIP: 10.0.0.1, port: 80}]}"), "error RR2009 spec.redirect.redirectRules[0].protocol (r.yaml:8)" },
        { Resource(OneAddress, "{fallbackIP: not-an-ip}"), "error RR2003 spec.redirect.fallbackIP (r.yaml:8)" },
        { Resource("[{gateway: 192.168.12.1}]", "{fallbackIP: 203.0.113.9}"), "error RR2009 spec.addresses[0].ip (r.yaml:6)" },
        { Resource("[{ip: 192.168.12.99/24, gateway: 192.168.12.x}]", "{fallbackIP: 203.0.113.9}"), "error RR2003 spec.addresses[0].gateway (r.yaml:6)" },
        { Resource(OneAddress, "{fallbackIP: 203.0.113.9}").Replace("mode: Redirect", "mode: Proxy", StringComparison.Ordinal), "error RR3014 spec.mode (r.yaml:7)" },
        { Resource(OneAddress, "{fallbackIP: 203.0.113.9}", "  networkInterface: {macvlan: {mode: Trunk}}"), "error RR2010 spec.networkInterface.macvlan.mode (r.yaml:9)" },
        { Resource(OneAddress, "{fallbackIP: 203.0.113.9}", "  networkInterface: {}"), "error RR2009 spec.networkInterface.macvlan (r.yaml:9)" },
        { Resource(OneAddress, "{fallbackIP: 203.0.113.9}").Replace("  redirect: {fallbackIP: 203.0.113.9}\n", "", StringComparison.Ordinal), "error RR2009 spec.redirect (r.yaml:6)" },
        { Resource(OneAddress, "{fallbackIP: 203.0.113.9}").Replace("  addresses: " + OneAddress + "\n", "", StringComparison.Ordinal), "error RR2009 spec.addresses (r.yaml:6)" },
        // The operator: "router without addresses".
        { Resource("[]", "{fallbackIP: 203.0.113.9}"), "error RR3012 spec.addresses (r.yaml:6)" },
        // A List of other than one EgressRouter.
        { "apiVersion: v1\nkind: List\nitems: []\n", "error RR2010 items (r.yaml:3)" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void RefusedUpstreamExits2WithTheKeyNamed(string resource, string error)
    {
        var cli = new CliHarness();
        cli.Files["r.yaml"] = resource;

        var (exit, stdout, stderr) = cli.Run("validate", "--config", "r.yaml");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(error + ": ", lines[0], StringComparison.Ordinal);
        Assert.Equal("1 error(s); nothing was changed.", lines[1]);
    }
}
