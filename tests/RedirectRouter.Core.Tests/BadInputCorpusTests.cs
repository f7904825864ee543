using System.Globalization;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Core.Tests;

/// <summary>
/// Every file under BadInputs/ ends with "# expect: CODE KEYPATH LINE" comments ("//" in JSON; "-" = no key path,
/// "?" = any line). The findings must be exactly those: each expected one found, nothing else invented.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "BadInputs");

    public static TheoryData<string> Files => new(System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Order().Cast<string>());

    [Fact]
    public void TheCorpusIsLargeEnoughAndCoversAllThreeFormats()
    {
        var names = System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).ToList();
        Assert.True(names.Count + EnvironmentCases.Count >= 60, $"only {names.Count + EnvironmentCases.Count} bad inputs");
        Assert.Contains(names, n => n!.StartsWith('n'));
        Assert.Contains(names, n => n!.StartsWith('j'));
        Assert.Contains(names, n => n!.StartsWith('c'));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FileReportsExactlyTheExpectedFindings(string name)
    {
        var text = File.ReadAllText(Path.Combine(Directory, name));
        var expected = text.Split('\n')
            .Select(l => l.TrimStart('#', '/', ' '))
            .Where(l => l.StartsWith("expect: ", StringComparison.Ordinal))
            .Select(l => l["expect: ".Length..].Split(' '))
            .ToList();
        Assert.NotEmpty(expected);

        var result = ConfigLoader.LoadFile(text, name);

        Assert.Null(result.Config is not null && result.HasErrors ? result.Config : null);
        var actual = result.Diagnostics.ToList();
        foreach (var diagnostic in actual)
        {
            Assert.Equal(name, diagnostic.Location.Source);
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
        }
        var matched = new List<ConfigDiagnostic>();
        foreach (var fields in expected)
        {
            var (code, keyPath, line) = (fields[0], fields[1] == "-" ? null : fields[1], fields[2]);
            var found = actual.FirstOrDefault(d => !matched.Contains(d) && d.Code == code && d.Location.KeyPath == keyPath
                && (line == "?" || d.Location.Line == int.Parse(line, CultureInfo.InvariantCulture)));
            Assert.True(found is not null, $"expected {string.Join(' ', fields)} in:\n{string.Join('\n', actual)}");
            matched.Add(found);
        }
        var invented = actual.Except(matched).ToList();
        Assert.True(invented.Count == 0, $"unexpected findings:\n{string.Join('\n', invented)}");
        Assert.Equal(expected.Any(f => DiagnosticCodes.All.First(c => c.Code == f[0]).Severity == DiagnosticSeverity.Error), result.HasErrors);
    }

    /// <summary>OpenShift environment cases: variables, optional destination file content, expected findings (code, source, line or 0).</summary>
    public static TheoryData<string, Dictionary<string, string>, string?, string[]> EnvironmentCases => new()
    {
        { "source unset", Env(("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR1001 EGRESS_SOURCE 0"] },
        { "source octet 999", Env(("EGRESS_SOURCE", "999.1.1.1"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR1001 EGRESS_SOURCE 0"] },
        { "source with two prefixes", Env(("EGRESS_SOURCE", "1.2.3.4/24/8"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR1001 EGRESS_SOURCE 0"] },
        { "gateway with prefix", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1/24"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR1002 EGRESS_GATEWAY 0"] },
        { "gateway IPv6", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "fd00::1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR1002 EGRESS_GATEWAY 0"] },
        { "destination unset", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1")), null, ["RR1003 EGRESS_DESTINATION 0"] },
        { "invalid third line", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "# c\n80 tcp 10.4.5.6\nhello\n")), null, ["RR1004 EGRESS_DESTINATION 3"] },
        { "fallback not last", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3\n\n80 tcp 10.4.5.6")), null, ["RR1005 EGRESS_DESTINATION 3"] },
        { "port zero on line 2", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 10.4.5.6\n0 udp 10.4.5.6")), null, ["RR1006 EGRESS_DESTINATION 2"] },
        { "local port reused across protocols", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "53 udp 10.4.5.6\n53 tcp 10.4.5.7")), null, ["RR1007 EGRESS_DESTINATION 2"] },
        { "unknown mode", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3"), ("EGRESS_ROUTER_MODE", "proxy")), null, ["RR1008 EGRESS_ROUTER_MODE 0"] },
        { "variable and file both set", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3"), ("EGRESS_DESTINATION_FILE", "/d")), "10.1.2.3", ["RR1009 EGRESS_DESTINATION_FILE 0"] },
        { "file unreadable", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION_FILE", "/missing")), null, ["RR1010 EGRESS_DESTINATION_FILE 0"] },
        { "macvlan mode unknown", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3"), ("EGRESS_ROUTER_MACVLAN_MODE", "loud")), null, ["RR1011 EGRESS_ROUTER_MACVLAN_MODE 0"] },
        { "parent name too long", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3"), ("EGRESS_ROUTER_PARENT", "averyveryverylongname")), null, ["RR1011 EGRESS_ROUTER_PARENT 0"] },
        { "host netns relative", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3"), ("EGRESS_ROUTER_HOST_NETNS", "proc/1/ns/net")), null, ["RR1011 EGRESS_ROUTER_HOST_NETNS 0"] },
        { "destination octet 999", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 999.1.1.1")), null, ["RR1004 EGRESS_DESTINATION 1"] },
        { "CRLF line ends", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 10.4.5.6\r\n10.1.2.3\r\n")), null, ["RR1004 EGRESS_DESTINATION 1", "RR1004 EGRESS_DESTINATION 2"] },
        { "destination in the egress subnet", Env(("EGRESS_SOURCE", "10.0.0.5/24"), ("EGRESS_GATEWAY", "10.0.0.1"), ("EGRESS_DESTINATION", "80 tcp 10.0.0.9")), null, ["RR3008 EGRESS_DESTINATION 1"] },
        { "all errors at once", Env(("EGRESS_SOURCE", "1.2.3"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 10.4.5.6\n80 tcp 10.4.5.6\nx\n70000 udp 10.1.1.1 0")), null,
            ["RR1001 EGRESS_SOURCE 0", "RR1007 EGRESS_DESTINATION 2", "RR1004 EGRESS_DESTINATION 3", "RR1006 EGRESS_DESTINATION 4", "RR1006 EGRESS_DESTINATION 4"] },
        { "source unspecified", Env(("EGRESS_SOURCE", "0.0.0.0"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR3032 EGRESS_SOURCE 0"] },
        { "source with a /0 prefix", Env(("EGRESS_SOURCE", "10.0.0.5/0"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR3032 EGRESS_SOURCE 0"] },
        { "source broadcast", Env(("EGRESS_SOURCE", "255.255.255.255"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "10.1.2.3")), null, ["RR3032 EGRESS_SOURCE 0"] },
        { "destination loopback", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 127.0.0.1")), null, ["RR3030 EGRESS_DESTINATION 1"] },
        { "destination multicast on line 2", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 10.4.5.6\n5353 udp 224.0.0.251 53")), null, ["RR3030 EGRESS_DESTINATION 2"] },
        { "destination unspecified", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 0.0.0.0")), null, ["RR3030 EGRESS_DESTINATION 1"] },
        { "fallback broadcast", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "255.255.255.255")), null, ["RR3030 EGRESS_DESTINATION 1"] },
        { "fallback metadata service", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION", "80 tcp 10.4.5.6\n169.254.169.254")), null, ["RR3031 EGRESS_DESTINATION 2"] },
        { "file lines are located in the file", Env(("EGRESS_SOURCE", "1.2.3.4"), ("EGRESS_GATEWAY", "1.1.1.1"), ("EGRESS_DESTINATION_FILE", "/etc/egress/dest")), "# rules\n80 tcp 10.4.5.6\n80\ttcp 10.4.5.7\n", ["RR1004 /etc/egress/dest 3"] },
    };

    [Theory]
    [MemberData(nameof(EnvironmentCases))]
    public void EnvironmentReportsExactlyTheExpectedFindings(string description, Dictionary<string, string> env, string? file, string[] expected)
    {
        var (_, result) = ConfigLoader.LoadEnvironment(env, file);

        var actual = result.Diagnostics.Select(d => $"{d.Code} {d.Location.Source} {d.Location.Line ?? 0}").Order().ToList();
        Assert.True(expected.Order().SequenceEqual(actual), $"{description}: expected [{string.Join("; ", expected)}] got [{string.Join("; ", actual)}]");
        foreach (var diagnostic in result.Diagnostics.Where(d => d.Code.StartsWith("RR1", StringComparison.Ordinal)))
        {
            // Every OpenShift error has a script-style message for unit-test mode.
            Assert.False(string.IsNullOrEmpty(diagnostic.ScriptMessage));
        }
    }

    private static Dictionary<string, string> Env(params (string Name, string Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);
}
