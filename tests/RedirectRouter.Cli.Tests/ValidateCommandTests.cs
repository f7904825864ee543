namespace RedirectRouter.Cli.Tests;

public sealed class ValidateCommandTests
{
    [Fact]
    public void ValidFileExits0AndReadsNothingElse()
    {
        var cli = new CliHarness();
        cli.Files["/cfg/two-homes.yaml"] = CliHarness.Expected("two-homes.yaml");

        var (exit, stdout, stderr) = cli.Run("validate", "--config", "/cfg/two-homes.yaml");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("/cfg/two-homes.yaml: valid (2 home(s), 2 rule(s), 0 warning(s))\n", stdout);
        Assert.Equal("", stderr);
        Assert.Equal(["/cfg/two-homes.yaml"], cli.FilesRead);
    }

    [Fact]
    public void InvalidFileExits2WithEveryErrorOnStderrOnePerLine()
    {
        var cli = new CliHarness();
        cli.Files["config.yaml"] = """
            homes:
              - name: corp
                addresses: [192.0.2.10/24, 999.1.1.1/24]
                gatways: [192.0.2.1]
            rules:
              - {port: 0, destination: 203.0.113.5}
              - {port: 80, destination: 203.0.113.5, home: dmz}
            """;

        var (exit, stdout, stderr) = cli.Run("validate", "--config", "config.yaml");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "error RR2003 homes[0].addresses[1] (config.yaml:3): '999.1.1.1' is not a valid IP address hint: IPv4 is four decimal octets 0..255, e.g. 192.0.2.10/24; IPv6 e.g. 2001:db8::10/64",
                "error RR2002 homes[0].gatways (config.yaml:4): unknown key 'gatways' hint: did you mean 'gateways'?",
                "error RR2005 rules[0].port (config.yaml:6): port '0' is not a port or range in 1..65535 hint: write a port such as 80 or a range such as 8000-8010",
                "error RR3005 rules[1].home (config.yaml:7): there is no home named 'dmz' hint: homes: corp",
                "4 error(s); nothing was changed.",
            ],
            lines);
    }

    /// <summary>Names that would inject into a ruleset (or match as a wildcard, or forge output) never get past validate.</summary>
    public static TheoryData<string> InjectionNames => new("eth0\"accept#", "eth+", "eth*", "eth0;", "eth\\", "eth\n0", "eth\0", "abcdefghijklmnop", "eth\u00e9", "..", "x\";};chain c{#", "$(reboot)");

    [Theory]
    [MemberData(nameof(InjectionNames))]
    public void AnInterfaceNameOutsideTheNameRuleExits2WithALocatedError(string name)
    {
        var cli = new CliHarness();
        // JSON, so that every character (newline, NUL) can be written as an escape.
        cli.Files["config.json"] = "{\n\"settings\": {\"clusterInterface\": " + JsonString(name) + "},\n"
            + "\"homes\": [{\"name\": \"corp\", \"parent\": \"eth1\", \"addresses\": [\"192.0.2.10/24\"], \"gateways\": [\"192.0.2.1\"]}],\n"
            + "\"rules\": [{\"protocol\": \"tcp\", \"port\": 8080, \"destination\": \"203.0.113.5\"}]}\n";

        var (exit, stdout, stderr) = cli.Run("validate", "--config", "config.json");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("error RR2011 settings.clusterInterface (config.json:2): '", stderr, StringComparison.Ordinal);
        // The value is shown printable: no control character reaches the terminal.
        Assert.DoesNotContain(stderr.TrimEnd('\n'), c => c < ' ' && c != '\n');
        Assert.EndsWith("1 error(s); nothing was changed.\n", stderr, StringComparison.Ordinal);
    }

    private static string JsonString(string text) =>
        "\"" + string.Concat(text.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}")) + "\"";

    [Fact]
    public void AValueWithControlCharactersIsEchoedEscapedOnOneLine()
    {
        var cli = new CliHarness();
        cli.Files["esc.yaml"] = "homes:\n  - name: corp\n    addresses: [192.0.2.10/24]\n    gateways: [\"192.0.2.1\\e]0;owned\\a\\e[2J\\nerror RR0000 forged\"]\nrules:\n  - {port: 80, destination: 203.0.113.5}\n";

        var (exit, _, stderr) = cli.Run("validate", "--config", "esc.yaml");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.DoesNotContain('\a', stderr);
        Assert.Contains("\\x1b]0;owned\\x07\\x1b[2J\\x0aerror RR0000 forged", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(stderr.Split('\n'), line => line.StartsWith("error RR0000", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutConfigTheOpenShiftEnvironmentIsValidated()
    {
        var good = new CliHarness().WithOpenShift("192.168.12.99/24", "192.168.12.1", "80 tcp 10.4.5.6\n10.1.2.3");
        Assert.Equal((0, "environment: valid (1 home(s), 1 rule(s), 0 warning(s))\n", ""), good.Run("validate"));

        var bad = new CliHarness().WithOpenShift("192.168.12.99/24", "192.168.12.1", "80 tcp 10.4.5.6\n80 udp 10.4.5.7\nfoo");
        var (exit, _, stderr) = bad.Run("validate");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("error RR1007 EGRESS_DESTINATION:2: local port 80 is already used on line 1", stderr, StringComparison.Ordinal);
        Assert.Contains("error RR1004 EGRESS_DESTINATION:3: 'foo'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationFileIsReadThroughTheContext()
    {
        var cli = new CliHarness().WithOpenShift("192.168.12.99", "192.168.12.1", "");
        cli.Environment.Remove("EGRESS_DESTINATION");
        cli.Environment["EGRESS_DESTINATION_FILE"] = "/etc/egress/destination";
        cli.Files["/etc/egress/destination"] = "80 tcp 10.4.5.6\n8080 tcp 10.4.5.7 80\n";

        var (exit, stdout, _) = cli.Run("validate");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("2 rule(s)", stdout, StringComparison.Ordinal);
        Assert.Equal(["/etc/egress/destination"], cli.FilesRead);
    }

    [Fact]
    public void UnreadableConfigExits2()
    {
        var (exit, stdout, stderr) = new CliHarness().Run("validate", "--config", "/nope.yaml");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: cannot read '/nope.yaml': ", stderr, StringComparison.Ordinal);
    }
}
