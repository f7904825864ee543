using System.Net;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.Documents;

namespace RedirectRouter.Core.Tests.Parsing;

public sealed class DocReaderTests
{
    private static (DocMapping Root, DocReader Reader, DiagnosticBag Bag) Load(string yaml)
    {
        var bag = new DiagnosticBag();
        var root = (DocMapping)DocumentLoader.Load(yaml, "t.yaml", bag)!;
        Assert.Empty(bag.Items);
        return (root, new DocReader("t.yaml", bag), bag);
    }

    [Fact]
    public void FieldCarriesTheKeyPathAndAnAbsentKeyReadsAsNullWithoutAFinding()
    {
        var (root, reader, bag) = Load("spec:\n  port: 80\n");
        var spec = (DocMapping)root["spec"]!;
        var port = DocReader.Field(spec, "spec", "port");
        Assert.Equal("spec.port", port.Path);
        Assert.Equal(new PortRange(80, 80), reader.Ports(port, allowRange: false));
        Assert.Null(reader.Ports(DocReader.Field(spec, "spec", "targetPort"), allowRange: false));
        Assert.Empty(bag.Items);
    }

    [Fact]
    public void AMissingRequiredFieldIsReportedAtItsMappingWithItsKeyPath()
    {
        var (root, reader, bag) = Load("spec:\n  other: 1\n");
        var spec = (DocMapping)root["spec"]!;
        Assert.Null(reader.Address(DocReader.Field(spec, "spec", "ip"), "gateway", missing: "give one"));
        var finding = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticCodes.MissingKey, finding.Code);
        Assert.Equal("'ip' is required", finding.Message);
        Assert.Equal("spec.ip", finding.Location.KeyPath);
        Assert.Equal(2, finding.Location.Line);
    }

    [Fact]
    public void AnUnknownWordIsReportedWithItsCodeAndHintAndReadsAsNull()
    {
        var (root, reader, bag) = Load("protocol: icmp\n");
        var protocol = reader.Word<Protocol>(DocReader.Field(root, "", "protocol"), EnumWords.TryParseProtocol, DiagnosticCodes.UnknownProtocol, "protocol", "use tcp");
        Assert.Null(protocol);
        var finding = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticCodes.UnknownProtocol, finding.Code);
        Assert.Equal("protocol 'icmp' is not known", finding.Message);
        Assert.Equal("use tcp", finding.Hint);
        Assert.Equal("protocol", finding.Location.KeyPath);
    }

    [Fact]
    public void AMacvlanModeThatIsNotKnownFallsBackAfterAnError()
    {
        var (root, reader, bag) = Load("mode: wide\nother: vepa\n");
        Assert.Equal(MacvlanMode.Bridge, reader.MacvlanMode(DocReader.Field(root, "", "mode"), MacvlanMode.Bridge, EnumWords.MacvlanModeHint));
        Assert.Equal(MacvlanMode.Vepa, reader.MacvlanMode(DocReader.Field(root, "", "other"), MacvlanMode.Bridge, EnumWords.MacvlanModeHint));
        Assert.Equal(MacvlanMode.Private, reader.MacvlanMode(DocReader.Field(root, "", "absent"), MacvlanMode.Private, EnumWords.MacvlanModeHint));
        var finding = Assert.Single(bag.Items);
        Assert.Equal("macvlan mode 'wide' is not known", finding.Message);
    }

    [Fact]
    public void ListKeepsWhatReadsLocatesItAndMarksEachItemThatDoesNot()
    {
        var (root, reader, bag) = Load("gateways:\n  - 192.0.2.1\n  - nope\n  - 192.0.2.3\n");
        var map = new SourceMap(new ConfigLocation("t.yaml"));
        var failures = 0;
        var read = reader.List(DocReader.Field(root, "", "gateways"), (node, path) => reader.Address(node, path, "gateway"),
            incomplete: () => failures++, locate: map);
        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.3")], read);
        Assert.Equal(1, failures);
        Assert.Equal("gateways[1]", Assert.Single(bag.Items).Location.KeyPath);
        Assert.Equal("gateways[2]", map.Of(read[1]).KeyPath);
        Assert.Equal(4, map.Of(read[1]).Line);
    }

    [Fact]
    public void AStrictListGivenAsOneValueIsAnErrorAndMarkedOnlyWhenAsked()
    {
        var (root, reader, bag) = Load("rules: 80\n");
        var marked = 0;
        Assert.Empty(reader.List(DocReader.Field(root, "", "rules"), (node, path) => reader.Text(node, path), incomplete: () => marked++));
        Assert.Empty(reader.List(DocReader.Field(root, "", "rules"), (node, path) => reader.Text(node, path), incomplete: () => marked++, notListIncomplete: false));
        Assert.Equal(1, marked);
        Assert.All(bag.Items, finding => Assert.Equal(DiagnosticCodes.WrongType, finding.Code));
        Assert.Equal(2, bag.Items.Count);
    }

    [Fact]
    public void ALenientListTakesOneValueAsAListOfOneAtIndexZero()
    {
        var (root, reader, bag) = Load("gateways: 192.0.2.1\n");
        var map = new SourceMap(new ConfigLocation("t.yaml"));
        var read = reader.List(DocReader.Field(root, "", "gateways"), (node, path) => reader.Address(node, path, "gateway"),
            incomplete: () => Assert.Fail("nothing failed"), strict: false, locate: map);
        Assert.Equal("gateways[0]", map.Of(Assert.Single(read)).KeyPath);
        Assert.Empty(bag.Items);
    }

    [Fact]
    public void KeepDropsAnItemWithoutMarkingItAndSeesThoseKeptBefore()
    {
        var (root, reader, _) = Load("ports: [80, 81, 80]\n");
        var seenBefore = new List<int>();
        var read = reader.List(DocReader.Field(root, "", "ports"), (node, path) => reader.Text(node, path),
            incomplete: () => Assert.Fail("nothing failed"),
            keep: (port, earlier, _, _) =>
            {
                seenBefore.Add(earlier.Count);
                return !earlier.Contains(port);
            });
        Assert.Equal(["80", "81"], read);
        Assert.Equal([0, 1, 2], seenBefore);
    }
}
