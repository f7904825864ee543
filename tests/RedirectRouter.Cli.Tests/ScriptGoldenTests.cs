using System.Diagnostics;

namespace RedirectRouter.Cli.Tests;

/// <summary>
/// The real program in EGRESS_ROUTER_MODE=unit-test, run as egress_router_test.go runs egress-router.sh: a
/// process whose environment holds only the EGRESS_* variables. Every expected text is what the script of the
/// OpenShift 3.10 to 4.20 egress router image prints for the same environment: on success its whole output,
/// on failure the rules printed before the error, its message as the last line, and a non-zero exit.
/// </summary>
public sealed class ScriptGoldenTests
{
    private const string Snat = "-A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4\n";

    /// <summary>Mode (null: unset), source, gateway, destination (null: unset), expected stdout.</summary>
    public static TheoryData<string?, string?, string?, string?, string> Good => new()
    {
        // TestEgressRouter of egress_router_test.go, in its order.
        { "unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        { "unit-test", "1.2.3.4/24", "1.1.1.1", "10.1.2.3", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3\n", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "8080 tcp 10.7.8.9 80", "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n" + Snat },
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n" + Snat
        },
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n10.1.2.3",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n"
            + "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat
        },
        {
            "unit-test", "1.2.3.4", "1.1.1.1",
            "\n# My egress-router rules\n\n# Port 80 forwards to 10.4.5.6\n80 tcp 10.4.5.6\n\n# Port 8080 forwards to port 80 on 10.7.8.9\n"
            + "8080 tcp 10.7.8.9 80\n\n# Skip this rule for now\n# 8443 tcp 10.7.8.9 443\n\n# Add new rules here\n\n"
            + "# Fallback; don't add anything after this\n10.1.2.3\n\n# No, seriously, don't add anything here\n",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n"
            + "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat
        },

        // Tabs and spaces around a line are trimmed, runs of spaces separate fields, lines of tabs and spaces are blank.
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "\t80 tcp 10.4.5.6\t\n  8081   udp   10.4.5.7   81  \n\t \n",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p udp --dport 8081 -j DNAT --to-destination 10.4.5.7:81\n" + Snat
        },
        { "unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3 ", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", " 10.1.2.3", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        // Indented comments, comments and blank lines after the fallback, a lone '#'.
        { "unit-test", "1.2.3.4", "1.1.1.1", "   # indented\n80 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "\t#tab comment\n10.1.2.3\n  # after\n\t\n", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        // Nothing but comments or blank lines: only the SNAT rule.
        { "unit-test", "1.2.3.4", "1.1.1.1", "#", Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "\n\n", Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", " ", Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "\t", Snat },
        // A carriage return alone is white space: a CRLF blank line or comment is still blank or a comment.
        { "unit-test", "1.2.3.4", "1.1.1.1", "\r\n80 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "# c\r\n80 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        // read without -r: backslash-newline joins lines, a backslash escapes the next character (an escaped '#' still starts a comment).
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp \\\n10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\\ ", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 t\\cp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n" + Snat },
        { "unit-test", "1.2.3.4", "1.1.1.1", "\\# not a comment", Snat },
        // Any prefix length the script's pattern takes that is a real one; the SNAT source drops it.
        { "unit-test", "1.2.3.4/32", "1.1.1.1", "10.1.2.3", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n" + Snat },
        // Ports at both ends of the range; one destination for two protocols.
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "1 udp 10.1.1.1 65535\n65535 tcp 10.1.1.1 1",
            "-A PREROUTING -i eth0 -p udp --dport 1 -j DNAT --to-destination 10.1.1.1:65535\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 65535 -j DNAT --to-destination 10.1.1.1:1\n" + Snat
        },
    };

    [Theory]
    [MemberData(nameof(Good))]
    public void GoodInputPrintsWhatTheScriptPrints(string? mode, string? source, string? gateway, string? destination, string expected)
    {
        var (exit, stdout, stderr) = RunProgram(mode, source, gateway, destination);

        Assert.Equal(expected, stdout);
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
    }

    /// <summary>Mode, source, gateway, destination, the rules printed before the error, the error (the last line of the output).</summary>
    public static TheoryData<string?, string?, string?, string?, string, string> Bad => new()
    {
        // TestEgressRouterBad of egress_router_test.go, in its order.
        { "unit-test", "not an IP address", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "not\nan\nIP\naddress", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "1.2.3.4", "not an IP address", "10.1.2.3", "", "EGRESS_GATEWAY unspecified or invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "", "", "EGRESS_DESTINATION unspecified" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "not an IP address", "", "EGRESS_DESTINATION value 'not an IP address' is invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3\n80 tcp 10.4.5.6", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n", "EGRESS_DESTINATION fallback IP must be the last line" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3\n10.4.5.6", "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n", "EGRESS_DESTINATION fallback IP must be the last line" },
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n10.1.2.3\n8080 tcp 10.7.8.9 80",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n",
            "EGRESS_DESTINATION fallback IP must be the last line"
        },
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\ninvalid\n8080 tcp 10.7.8.9 80",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n", "EGRESS_DESTINATION value 'invalid' is invalid"
        },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 sctp 10.4.5.6", "", "EGRESS_DESTINATION value '80 sctp 10.4.5.6' is invalid" },
        // The script prints the rule, then checks its local port.
        { "unit-test", "1.2.3.4", "1.1.1.1", "800000 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 800000 -j DNAT --to-destination 10.4.5.6\n", "Invalid port: 800000, must be in the range 1 to 65535" },
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n80 tcp 10.7.8.9 900",
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.7.8.9:900\n",
            "EGRESS_DESTINATION localport 80 is already used, must be unique for each destination"
        },

        // The script checks EGRESS_SOURCE, then EGRESS_GATEWAY, then the mode; it reads EGRESS_DESTINATION only in unit-test mode.
        { "bogus", "bad", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "bogus", null, null, null, "", "EGRESS_SOURCE unspecified or invalid" },
        { "bogus", "1.2.3.4", "bad", "10.1.2.3", "", "EGRESS_GATEWAY unspecified or invalid" },
        { "bogus", "1.2.3.4", "1.1.1.1", "bad line", "", "Unrecognized EGRESS_ROUTER_MODE 'bogus'" },
        { "bogus", "1.2.3.4", "1.1.1.1", null, "", "Unrecognized EGRESS_ROUTER_MODE 'bogus'" },
        { "unit-test", "bad", "bad", "bad", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "1.2.3.4", "bad", "bad", "", "EGRESS_GATEWAY unspecified or invalid" },
        // The mode is matched exactly.
        { "Unit-Test", "1.2.3.4", "1.1.1.1", "10.1.2.3", "", "Unrecognized EGRESS_ROUTER_MODE 'Unit-Test'" },
        { " unit-test", "1.2.3.4", "1.1.1.1", "10.1.2.3", "", "Unrecognized EGRESS_ROUTER_MODE ' unit-test'" },
        // Unset variables.
        { "unit-test", null, "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "1.2.3.4", null, "10.1.2.3", "", "EGRESS_GATEWAY unspecified or invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", null, "", "EGRESS_DESTINATION unspecified" },
        // White space: inside the source and gateway values it is an error; inside a line a tab is no separator.
        { "unit-test", "1.2.3.4 ", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1 ", "10.1.2.3", "", "EGRESS_GATEWAY unspecified or invalid" },
        { "unit-test", "1.2.3.4/", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80\ttcp 10.4.5.6", "", "EGRESS_DESTINATION value '80\ttcp 10.4.5.6' is invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp\t10.4.5.6", "", "EGRESS_DESTINATION value '80 tcp\t10.4.5.6' is invalid" },
        // A comment after a rule is part of the rule; so is the CR of a CRLF line end.
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\r\n10.1.2.3\r\n", "", "EGRESS_DESTINATION value '80 tcp 10.4.5.6\r' is invalid" },
        // Grammar and ports.
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 TCP 10.4.5.6", "", "EGRESS_DESTINATION value '80 TCP 10.4.5.6' is invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6 8080 1", "", "EGRESS_DESTINATION value '80 tcp 10.4.5.6 8080 1' is invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "80-90 tcp 10.4.5.6", "", "EGRESS_DESTINATION value '80-90 tcp 10.4.5.6' is invalid" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "0 tcp 10.4.5.6", "-A PREROUTING -i eth0 -p tcp --dport 0 -j DNAT --to-destination 10.4.5.6\n", "Invalid port: 0, must be in the range 1 to 65535" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "65536 udp 10.4.5.6", "-A PREROUTING -i eth0 -p udp --dport 65536 -j DNAT --to-destination 10.4.5.6\n", "Invalid port: 65536, must be in the range 1 to 65535" },
        // The remote port is checked before the rule is printed.
        { "unit-test", "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6 0", "", "Invalid port: 0, must be in the range 1 to 65535" },
        { "unit-test", "1.2.3.4", "1.1.1.1", "70000 tcp 10.4.5.6 99999", "", "Invalid port: 99999, must be in the range 1 to 65535" },
        // A local port once, whatever the protocol.
        {
            "unit-test", "1.2.3.4", "1.1.1.1", "53 udp 10.4.5.6\n53 tcp 10.4.5.6",
            "-A PREROUTING -i eth0 -p udp --dport 53 -j DNAT --to-destination 10.4.5.6\n-A PREROUTING -i eth0 -p tcp --dport 53 -j DNAT --to-destination 10.4.5.6\n",
            "EGRESS_DESTINATION localport 53 is already used, must be unique for each destination"
        },
        // Deliberately stricter than the script, which takes it: a /0 egress source would claim every address.
        { "unit-test", "1.2.3.4/0", "1.1.1.1", "10.1.2.3", "", "EGRESS_SOURCE unspecified or invalid" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void BadInputPrintsTheRulesBeforeTheErrorThenTheScriptsMessageAndFails(
        string? mode, string? source, string? gateway, string? destination, string rulesBefore, string message)
    {
        var (exit, stdout, stderr) = RunProgram(mode, source, gateway, destination);

        Assert.Equal(rulesBefore, stdout);
        var lines = stderr.Split('\n');
        Assert.True(lines.Length >= 2 && lines[^1] == "", $"stderr does not end with a line end: '{stderr}'");
        Assert.Equal(message, lines[^2]);
        Assert.NotEqual(0, exit);
    }

    private static (int Exit, string Stdout, string Stderr) RunProgram(string? mode, string? source, string? gateway, string? destination)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "redirect-router"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As egress_router_test.go: nothing but the script's variables.
        start.Environment.Clear();
        foreach (var (name, value) in new[] { ("EGRESS_ROUTER_MODE", mode), ("EGRESS_SOURCE", source), ("EGRESS_GATEWAY", gateway), ("EGRESS_DESTINATION", destination) })
        {
            if (value is not null)
            {
                start.Environment[name] = value;
            }
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the program did not exit within 60 s");
        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }
}
