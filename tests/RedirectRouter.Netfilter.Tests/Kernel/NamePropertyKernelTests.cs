using System.Net;
using System.Net.Sockets;
using CsCheck;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Tests.Support;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netfilter.Tests.Kernel;

/// <summary>
/// Any names inside the name rule render a ruleset that the tool loads and that reads back exactly as rendered
/// (a name the tool would read differently, as a wildcard, a keyword or an escape, would show as drift).
/// </summary>
public sealed class NamePropertyKernelTests
{
    private const string NameChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

    private static readonly Gen<string> Name =
        Gen.String[Gen.Char[NameChars], 1, InterfaceNames.MaxLength].Where(n => n is not "." and not "..");

    private static readonly Gen<string[]> ThreeDistinctNames = Name.Array[3].Where(n => n.Distinct(StringComparer.Ordinal).Count() == 3);

    private static NatModel Model(string[] names) => new(
        names[0],
        [
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("192.0.2.5"), PortRange.Single(80), "a"),
            new DnatEntry(Protocol.Udp, new PortRange(7000, 7001), IPAddress.Parse("198.51.100.5"), null, "b"),
            new DnatEntry(Protocol.Tcp, PortRange.Single(8080), IPAddress.Parse("2001:db8::5"), PortRange.Single(80), "a"),
        ],
        [new FallbackDnat(AddressFamily.InterNetwork, IPAddress.Parse("192.0.2.6"), "a")],
        [
            new SnatEntry("a", names[1], IPAddress.Parse("192.0.2.99")),
            new SnatEntry("a", names[1], IPAddress.Parse("2001:db8::99")),
            new SnatEntry("b", names[2], IPAddress.Parse("198.51.100.99")),
        ],
        [new HomeRouting("a", names[1], 0x2000, 100), new HomeRouting("b", names[2], 0x2001, 101)])
    {
        LocalTcpPorts = [9100],
    };

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RandomNamesInsideTheRuleLoadAndReadBackAsRendered(string backendName)
    {
        using var ns = TestNamespace.Create("names");
        var backend = await Backends.CreateAsync(backendName, ns);
        var tried = 0;
        ThreeDistinctNames.Sample(names =>
        {
            // The backend's own read-back is the comparison: every rendered rule must be found, nothing else.
            var applied = backend.ApplyAsync(Model(names), TestContext.Current.CancellationToken).GetAwaiter().GetResult();
            tried++;
            return applied.Drift.IsClean;
        }, iter: 40, threads: 1);
        Assert.Equal(40, tried);
        await backend.CleanupAsync(TestContext.Current.CancellationToken);
    }
}
