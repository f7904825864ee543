using System.Net;
using CsCheck;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.Documents;
using RedirectRouter.Core.Parsing.Native;
using RedirectRouter.Core.Parsing.OpenShift;
using RedirectRouter.Core.Serialization;

namespace RedirectRouter.Core.Tests;

public sealed class PropertyTests
{
    private static readonly Gen<string> Name =
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz"], Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 0, 10], (c, s) => c + s);

    private static readonly Gen<IPAddress> V4 = Gen.Byte.Array[4].Select(b => new IPAddress(b));
    private static readonly Gen<IPAddress> V6 = Gen.Byte.Array[16].Select(b => new IPAddress(b));
    private static readonly Gen<IPAddress> AnyAddress = Gen.OneOf(V4, V6);

    private static Gen<T?> OrNull<T>(Gen<T> gen) where T : class =>
        Gen.Bool.SelectMany(b => b ? gen.Select(v => (T?)v) : Gen.Const((T?)default));

    private static Gen<int?> OrNull(Gen<int> gen) =>
        Gen.Bool.SelectMany(b => b ? gen.Select(v => (int?)v) : Gen.Const((int?)default));

    private static readonly Gen<InterfaceAddress> Address =
        AnyAddress.SelectMany(a => Gen.Int[0, AddressText.MaxPrefix(a.AddressFamily)].Select(p => new InterfaceAddress(a, p)));

    private static readonly Gen<PortRange> Ports =
        Gen.Int[1, 65535].SelectMany(first => Gen.Int[first, Math.Min(65535, first + 100)].Select(last => new PortRange(first, last)));

    private static readonly Gen<RouteSpec> Route =
        Gen.Select(Address, Gen.Select(AnyAddress, Gen.Int[1, 256], (g, w) => new NextHop(g, w)).Array[0, 3], OrNull(Gen.Int[0, int.MaxValue]),
            (d, hops, metric) => new RouteSpec(d.Subnet, hops.ToValueList(), metric));

    private static readonly Gen<Home> Home =
        Gen.Select(Name, Name, OrNull(Name), Gen.Bool, Gen.Enum<MacvlanMode>(), OrNull(Gen.Int[68, 65535]),
            Gen.Select(Address.Array[0, 3], AnyAddress.Array[0, 2], Gen.Bool, Route.Array[0, 2]),
            (name, ifName, parent, adopt, mode, mtu, rest) => new Home(
                name, ifName, adopt ? null : parent, adopt ? LinkOrigin.Adopt : LinkOrigin.Create, adopt ? MacvlanMode.Private : mode, mtu,
                rest.Item1.ToValueList(), rest.Item2.ToValueList(), rest.Item3, rest.Item4.ToValueList()));

    private static readonly Gen<RedirectRule> Rule =
        Gen.Select(Gen.Enum<Protocol>(), Ports, AnyAddress, Gen.Bool.SelectMany(b => b ? Ports.Select(p => (PortRange?)p) : Gen.Const((PortRange?)default)), OrNull(Name),
            (protocol, local, destination, target, home) => new RedirectRule(protocol, local, destination, target, home));

    private static readonly Gen<AgentSettings> Settings =
        Gen.Select(Gen.Enum<NetfilterBackend>(), OrNull(Gen.Int[1, 65535].Select(p => $"127.0.0.1:{p}")), Gen.Int[0, 10], Name, Name,
            OrNull(Name.Select(n => "/run/netns/" + n)), Gen.Bool,
            (backend, metrics, count, cluster, ifName, netns, debug) => new AgentSettings(backend, metrics, count, cluster, ifName, netns, debug));

    private static readonly Gen<RouterConfig> Config =
        Gen.Select(Home.Array[0, 3], Rule.Array[0, 4], OrNull(V4), OrNull(V6), Settings,
            (homes, rules, v4, v6, settings) => new RouterConfig(homes.ToValueList(), rules.ToValueList(), new FallbackDestinations(v4, v6), settings));

    private static (RouterConfig Config, IReadOnlyList<ConfigDiagnostic> Diagnostics) ParseNative(string text)
    {
        var bag = new DiagnosticBag();
        var map = new SourceMap(new ConfigLocation("generated"));
        var root = (DocMapping)DocumentLoader.Load(text, "generated", bag)!;
        var config = NativeConfigParser.Parse(root, new DocReader("generated", bag), map);
        return (config, bag.Items);
    }

    [Fact]
    public void AnyGeneratedConfigRoundTripsThroughYAML()
    {
        Config.Sample(config =>
        {
            var yaml = NativeConfigWriter.ToYaml(config);
            var (parsed, diagnostics) = ParseNative(yaml);
            Assert.True(diagnostics.Count == 0, yaml + "\n" + string.Join('\n', diagnostics));
            Assert.Equal(config, parsed);
        }, iter: 300);
    }

    [Fact]
    public void AnyGeneratedConfigRoundTripsThroughJSON()
    {
        Config.Sample(config =>
        {
            var json = NativeConfigWriter.ToJson(config);
            var (parsed, diagnostics) = ParseNative(json);
            Assert.True(diagnostics.Count == 0, json + "\n" + string.Join('\n', diagnostics));
            Assert.Equal(config, parsed);
        }, iter: 300);
    }

    private static readonly Gen<string> Fragments = Gen.OneOfConst(
        "homes:", "rules:", "- ", "  ", "\n", "{", "}", "[", "]", ":", ",", "\"", "'", "&a ", "*a", "!!str ", "---\n", "#", "kind: EgressRouter\n",
        "spec:", "addresses:", "192.0.2.1/24", "port: 80", "999.1.1.1", "2001:db8::1", "null", "~", "\t", "\\", "80 tcp 10.1.1.1", "\r\n", "-", "weight: 0")
        .Array[0, 40].Select(parts => string.Concat(parts));

    [Fact]
    public void RandomTextNeverCrashesTheFileParsers()
    {
        Gen.OneOf(Gen.String, Fragments).Sample(text =>
        {
            var result = ConfigLoader.LoadFile(text, "random");
            Assert.True(result.Config is not null || result.HasErrors);
        }, iter: 2000);
    }

    [Fact]
    public void RandomTextNeverCrashesTheEnvironmentParser()
    {
        Gen.Select(Gen.OneOf(Gen.String, Fragments), Gen.OneOf(Gen.String, Fragments), Gen.OneOf(Gen.String, Fragments)).Sample(t =>
        {
            var env = new Dictionary<string, string> { ["EGRESS_SOURCE"] = t.Item1, ["EGRESS_GATEWAY"] = t.Item2, ["EGRESS_DESTINATION"] = t.Item3, ["EGRESS_ROUTER_MODE"] = "unit-test" };
            var result = OpenShiftEnvironmentParser.Parse(env);
            var output = OpenShiftScriptRules.RenderUnitTest(result);
            Assert.Equal(result.HasErrors, output.Error is not null);
        }, iter: 2000);
    }
}
