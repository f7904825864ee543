using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Core.Tests.Parsing;

/// <summary>
/// One rule reader serves both formats; each keeps its own key names and hints, and reports all problems of a rule
/// at once (the findings come out in file position order).
/// </summary>
public sealed class RedirectRuleReaderTests
{
    private const string Home = """
        homes:
          - name: corp
            parent: eth1
            addresses: [192.0.2.10/24]
            gateways: [192.0.2.1]
        """;

    private static string Resource(string redirect) => $$"""
        apiVersion: network.operator.openshift.io/v1
        kind: EgressRouter
        metadata:
          name: r
        spec:
          addresses: [{ip: 192.168.12.99/24, gateway: 192.168.12.1}]
          mode: Redirect
          redirect: {{redirect}}
        """;

    private static (string Code, string? KeyPath)[] Findings(string text, string under) =>
        ConfigLoader.LoadFile(text, "c.yaml").Diagnostics
            .Where(d => d.Location.KeyPath?.StartsWith(under, StringComparison.Ordinal) == true)
            .Select(d => (d.Code, d.Location.KeyPath))
            .ToArray();

    [Fact]
    public void NativeRuleReportsEveryBadKeyAtOnce()
    {
        var findings = Findings(Home + "\nrules:\n  - {home: [a], targetPort: x, destination: nope, port: 0, protocol: icmp}\n", "rules[0]");

        Assert.Equal(
            [
                (DiagnosticCodes.WrongType, "rules[0].home"),
                (DiagnosticCodes.InvalidPort, "rules[0].targetPort"),
                (DiagnosticCodes.InvalidAddress, "rules[0].destination"),
                (DiagnosticCodes.InvalidPort, "rules[0].port"),
                (DiagnosticCodes.UnknownProtocol, "rules[0].protocol"),
            ],
            findings);
    }

    [Fact]
    public void NativeRuleNeedsPortAndDestinationButNotProtocol()
    {
        var result = ConfigLoader.LoadFile(Home + "\nrules:\n  - {targetPort: 80}\n", "c.yaml");

        Assert.Equal(
            [(DiagnosticCodes.MissingKey, "rules[0].port", "'port' is required"), (DiagnosticCodes.MissingKey, "rules[0].destination", "'destination' is required")],
            result.Diagnostics.Select(d => (d.Code, d.Location.KeyPath, d.Message)));
    }

    [Fact]
    public void EgressRouterRuleReportsEveryBadKeyAtOnce()
    {
        var findings = Findings(Resource("{redirectRules: [{targetPort: x, protocol: icmp, port: 80-81, destinationIP: 10.0.0.0/24}]}"), "spec.redirect.redirectRules[0]");

        Assert.Equal(
            [
                (DiagnosticCodes.InvalidPort, "spec.redirect.redirectRules[0].targetPort"),
                (DiagnosticCodes.UnknownProtocol, "spec.redirect.redirectRules[0].protocol"),
                (DiagnosticCodes.InvalidPort, "spec.redirect.redirectRules[0].port"),
                (DiagnosticCodes.InvalidPrefix, "spec.redirect.redirectRules[0].destinationIP"),
            ],
            findings);
    }

    [Fact]
    public void EgressRouterRuleNeedsDestinationPortAndProtocolWithTheirOwnHints()
    {
        var result = ConfigLoader.LoadFile(Resource("{redirectRules: [{targetPort: 80}]}"), "r.yaml");

        Assert.Equal(
            [
                ("spec.redirect.redirectRules[0].destinationIP", "give the real destination, e.g. destinationIP: 10.0.0.99"),
                ("spec.redirect.redirectRules[0].port", "give the port clients connect to, e.g. port: 80"),
                ("spec.redirect.redirectRules[0].protocol", "give TCP, UDP or SCTP"),
            ],
            result.Diagnostics.Select(d => (d.Location.KeyPath!, d.Hint!)));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticCodes.MissingKey, d.Code));
    }

    [Fact]
    public void EgressRouterRedirectRulesThatIsNotAListStillWarnsThatNothingIsForwarded()
    {
        var result = ConfigLoader.LoadFile(Resource("{redirectRules: 80}"), "r.yaml");

        Assert.Equal(
            [(DiagnosticCodes.NothingRedirected, "spec.redirect"), (DiagnosticCodes.WrongType, "spec.redirect.redirectRules")],
            result.Diagnostics.Select(d => (d.Code, d.Location.KeyPath)));
    }
}
