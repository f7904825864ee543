namespace RedirectRouter.Core.Tests.OpenShift;

/// <summary>
/// Unit-test mode output against egress-router.sh's: the good cases must match byte for byte, the bad ones
/// must end with the script's message. The first nine good and twelve bad cases are those of OpenShift's
/// own images/egress/router/egress_router_test.go; the rest cover the grammar's corners.
/// </summary>
public sealed class UnitTestModeGoldenTests
{
    public static TheoryData<string, string, string, string> GoodCases => new()
    {
        { "1.2.3.4", "1.1.1.1", "10.1.2.3", """
            -A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4/24", "1.1.1.1", "10.1.2.3", """
            -A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", "10.1.2.3\n", """
            -A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6", """
            -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", "8080 tcp 10.7.8.9 80", """
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80", """
            -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n10.1.2.3", """
            -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        { "1.2.3.4", "1.1.1.1", """

            # My egress-router rules

            # Port 80 forwards to 10.4.5.6
            80 tcp 10.4.5.6

            # Port 8080 forwards to port 80 on 10.7.8.9
            8080 tcp 10.7.8.9 80

            # Skip this rule for now
            # 8443 tcp 10.7.8.9 443

            # Add new rules here

            # Fallback; don't add anything after this
            10.1.2.3

            # No, seriously, don't add anything here

            """, """
            -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6
            -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80
            -A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4

            """ },
        // Surrounding white space (spaces and tabs) is trimmed, several spaces separate fields, indented comments are comments.
        { "192.168.12.99/24", "192.168.12.1", "  53   udp  10.9.8.7  \n\t8443 tcp    203.0.113.5   443\t\n   # indented comment\n \t \n  203.0.113.9  ", """
            -A PREROUTING -i eth0 -p udp --dport 53 -j DNAT --to-destination 10.9.8.7
            -A PREROUTING -i eth0 -p tcp --dport 8443 -j DNAT --to-destination 203.0.113.5:443
            -A PREROUTING -i eth0 -j DNAT --to-destination 203.0.113.9
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 192.168.12.99

            """ },
        // Only comments: the script prints the SNAT rule alone and succeeds.
        { "10.0.0.5", "10.0.0.1", "# nothing yet\n", """
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 10.0.0.5

            """ },
        // The same local port never repeats, but the same destination may; udp and tcp to one host.
        { "10.0.0.5", "10.0.0.1", "1 udp 10.1.1.1 65535\n65535 tcp 10.1.1.1 1", """
            -A PREROUTING -i eth0 -p udp --dport 1 -j DNAT --to-destination 10.1.1.1:65535
            -A PREROUTING -i eth0 -p tcp --dport 65535 -j DNAT --to-destination 10.1.1.1:1
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 10.0.0.5

            """ },
        // read without -r: a backslash-newline continues the line.
        { "10.0.0.5", "10.0.0.1", "80 tcp \\\n10.4.5.6", """
            -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6
            -A POSTROUTING -o macvlan0 -j SNAT --to-source 10.0.0.5

            """ },
    };

    [Theory]
    [MemberData(nameof(GoodCases))]
    public void GoodInputPrintsTheScriptsRulesByteForByte(string source, string gateway, string destination, string expected)
    {
        var (stdout, error) = ScriptRun.Run(source, gateway, destination);

        Assert.Null(error);
        Assert.Equal(expected.ReplaceLineEndings("\n"), stdout);
    }

    public static TheoryData<string?, string?, string?, string> BadCases => new()
    {
        // egress_router_test.go
        { "not an IP address", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "not\nan\nIP\naddress", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4", "not an IP address", "10.1.2.3", "EGRESS_GATEWAY unspecified or invalid" },
        { "1.2.3.4", "1.1.1.1", "", "EGRESS_DESTINATION unspecified" },
        { "1.2.3.4", "1.1.1.1", "not an IP address", "EGRESS_DESTINATION value 'not an IP address' is invalid" },
        { "1.2.3.4", "1.1.1.1", "10.1.2.3\n80 tcp 10.4.5.6", "EGRESS_DESTINATION fallback IP must be the last line" },
        { "1.2.3.4", "1.1.1.1", "10.1.2.3\n10.4.5.6", "EGRESS_DESTINATION fallback IP must be the last line" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n10.1.2.3\n8080 tcp 10.7.8.9 80", "EGRESS_DESTINATION fallback IP must be the last line" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\ninvalid\n8080 tcp 10.7.8.9 80", "EGRESS_DESTINATION value 'invalid' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80 sctp 10.4.5.6", "EGRESS_DESTINATION value '80 sctp 10.4.5.6' is invalid" },
        { "1.2.3.4", "1.1.1.1", "800000 tcp 10.4.5.6", "Invalid port: 800000, must be in the range 1 to 65535" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n80 tcp 10.7.8.9 900", "EGRESS_DESTINATION localport 80 is already used, must be unique for each destination" },
        // Unset variables.
        { null, "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4", null, "10.1.2.3", "EGRESS_GATEWAY unspecified or invalid" },
        { "1.2.3.4", "1.1.1.1", null, "EGRESS_DESTINATION unspecified" },
        // Source first, then gateway.
        { "bad", "bad", "bad", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4", "bad", "bad", "EGRESS_GATEWAY unspecified or invalid" },
        // Stricter than the script: octets above 255 and impossible prefixes.
        { "999.1.1.1", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4/33", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4", "1.1.1.999", "10.1.2.3", "EGRESS_GATEWAY unspecified or invalid" },
        { "1.2.3.4", "1.1.1.1/24", "10.1.2.3", "EGRESS_GATEWAY unspecified or invalid" },
        { " 1.2.3.4", "1.1.1.1", "10.1.2.3", "EGRESS_SOURCE unspecified or invalid" },
        { "1.2.3.4", "1.1.1.1", "999.1.1.1", "EGRESS_DESTINATION value '999.1.1.1' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.256", "EGRESS_DESTINATION value '80 tcp 10.4.5.256' is invalid" },
        // Grammar: upper-case protocols, tabs between fields, inline comments, too many fields.
        { "1.2.3.4", "1.1.1.1", "80 TCP 10.4.5.6", "EGRESS_DESTINATION value '80 TCP 10.4.5.6' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80\ttcp 10.4.5.6", "EGRESS_DESTINATION value '80\ttcp 10.4.5.6' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6 # web", "EGRESS_DESTINATION value '80 tcp 10.4.5.6 # web' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6 8080 1", "EGRESS_DESTINATION value '80 tcp 10.4.5.6 8080 1' is invalid" },
        { "1.2.3.4", "1.1.1.1", "80-90 tcp 10.4.5.6", "EGRESS_DESTINATION value '80-90 tcp 10.4.5.6' is invalid" },
        { "1.2.3.4", "1.1.1.1", "   80  tcp  10.4.5.6 x  ", "EGRESS_DESTINATION value '80  tcp  10.4.5.6 x' is invalid" },
        // Ports: 0, above 65535, the remote port, and the remote port checked before the local one.
        { "1.2.3.4", "1.1.1.1", "0 tcp 10.4.5.6", "Invalid port: 0, must be in the range 1 to 65535" },
        { "1.2.3.4", "1.1.1.1", "65536 udp 10.4.5.6", "Invalid port: 65536, must be in the range 1 to 65535" },
        { "1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6 0", "Invalid port: 0, must be in the range 1 to 65535" },
        { "1.2.3.4", "1.1.1.1", "70000 tcp 10.4.5.6 99999", "Invalid port: 99999, must be in the range 1 to 65535" },
        // Local ports are unique whatever the protocol.
        { "1.2.3.4", "1.1.1.1", "53 udp 10.4.5.6\n53 tcp 10.4.5.6", "EGRESS_DESTINATION localport 53 is already used, must be unique for each destination" },
        // A fallback alone twice, after comments.
        { "1.2.3.4", "1.1.1.1", "# a\n10.1.2.3\n# b\n10.1.2.4", "EGRESS_DESTINATION fallback IP must be the last line" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void BadInputEndsWithTheScriptsMessage(string? source, string? gateway, string? destination, string message)
    {
        var (_, error) = ScriptRun.Run(source, gateway, destination);

        Assert.Equal(message, error);
    }

    [Fact]
    public void RulesBeforeTheFirstErrorArePrintedIncludingTheFailingLineWhenTheScriptPrintsItFirst()
    {
        // The script prints a rule, then checks its local port: a duplicate or bad local port follows its own rule.
        var (duplicate, _) = ScriptRun.Run("1.2.3.4", "1.1.1.1", "80 tcp 10.4.5.6\n8080 tcp 10.7.8.9 80\n80 tcp 10.7.8.9 900\n90 tcp 10.0.0.1");
        Assert.Equal(
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80\n"
            + "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.7.8.9:900\n",
            duplicate);

        var (badLocal, _) = ScriptRun.Run("1.2.3.4", "1.1.1.1", "800000 tcp 10.4.5.6");
        Assert.Equal("-A PREROUTING -i eth0 -p tcp --dport 800000 -j DNAT --to-destination 10.4.5.6\n", badLocal);

        // A bad remote port is found before printing.
        var (badRemote, _) = ScriptRun.Run("1.2.3.4", "1.1.1.1", "53 udp 10.0.0.1\n80 tcp 10.4.5.6 0");
        Assert.Equal("-A PREROUTING -i eth0 -p udp --dport 53 -j DNAT --to-destination 10.0.0.1\n", badRemote);

        // An invalid line prints nothing of its own; a line after the fallback neither.
        var (afterFallback, _) = ScriptRun.Run("1.2.3.4", "1.1.1.1", "10.1.2.3\n80 tcp 10.4.5.6");
        Assert.Equal("-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n", afterFallback);

        var (badSource, _) = ScriptRun.Run("x", "1.1.1.1", "80 tcp 10.4.5.6");
        Assert.Equal("", badSource);
    }

    [Fact]
    public void DestinationFileIsReadLikeTheVariable()
    {
        var env = ScriptRun.Env("1.2.3.4", "1.1.1.1", null);
        env["EGRESS_DESTINATION_FILE"] = "/etc/egress/destination";

        var (stdout, error) = ScriptRun.Run(env, "80 tcp 10.4.5.6\n10.1.2.3\n");

        Assert.Null(error);
        Assert.Equal(
            "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.4.5.6\n"
            + "-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3\n"
            + "-A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4\n",
            stdout);
    }

    [Fact]
    public void FiveThousandMappingsFromAFileRenderInOrder()
    {
        var lines = Enumerable.Range(1, 5000).Select(i => $"{i} tcp 10.{i / 256 % 256}.{i % 256}.1 {i + 10000}").ToList();
        var env = ScriptRun.Env("1.2.3.4", "1.1.1.1", null);
        env["EGRESS_DESTINATION_FILE"] = "/etc/egress/destination";

        var (stdout, error) = ScriptRun.Run(env, string.Join("\n", lines));

        Assert.Null(error);
        var output = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5001, output.Length);
        Assert.Equal("-A PREROUTING -i eth0 -p tcp --dport 4999 -j DNAT --to-destination 10.19.135.1:14999", output[4998]);
    }
}
