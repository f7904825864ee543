using System.Diagnostics;
using System.Text.Json;
using RedirectRouter.Core.Rendering;
using RedirectRouter.Core.Serialization;

namespace RedirectRouter.Core.Tests.Rendering;

/// <summary>Escaping for text output, quoting for suggested shell commands, and JSON for names the kernel allows.</summary>
public sealed class TextEscapingTests
{
    public static TheoryData<string, string> Escapes => new()
    {
        { "macvlan0", "macvlan0" },
        { "\u001b[31m$(touch x)", "\\x1b[31m$(touch x)" },
        { "a\nb\rc\td", "a\\x0ab\\x0dc\\x09d" },
        { "nul\0", "nul\\x00" },
        { "del\u007f", "del\\x7f" },
        { "c1\u009b2J", "c1\\x9b2J" },
        { "bidi\u202eevil", "bidi\\u202eevil" },
        { "bad\uFFFDutf8", "bad\\ufffdutf8" },
        { "line\u2028sep", "line\\u2028sep" },
        { "café 名前 😀", "café 名前 😀" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void EscapeWritesEveryControlAndInvisibleCharacterCStyle(string text, string expected)
    {
        var escaped = TextEscaping.Escape(text);

        Assert.Equal(expected, escaped);
        Assert.DoesNotContain(escaped, c => char.IsControl(c));
    }

    [Fact]
    public void LoneSurrogatesAreEscapedAndPairsKept()
    {
        // Built here: theory data would turn a lone surrogate into U+FFFD on its way to the test.
        Assert.Equal("lone\\ud800 \\udc00 😀", TextEscaping.Escape("lone" + '\ud800' + " " + '\udc00' + " 😀"));
    }

    [Fact]
    public void EscapeWithLayoutKeepsOnlyLineFeedsAndTabs()
    {
        Assert.Equal("table ip t {\n\tchain c \\x1b[2J\\x0d\n}", TextEscaping.Escape("table ip t {\n\tchain c \u001b[2J\r\n}", keepLayout: true));
    }

    public static TheoryData<string, string> Quotes => new()
    {
        { "macvlan0", "macvlan0" },
        { "eth0.100", "eth0.100" },
        { "net.ipv4.conf.eth_1.rp_filter=2", "'net.ipv4.conf.eth_1.rp_filter=2'" },
        { "$(reboot)", "'$(reboot)'" },
        { "it's", "'it'\\''s'" },
        { "-rf", "'-rf'" },
        { "`id`;x", "'`id`;x'" },
        { "\u001b[31m$(touch x)", "$'\\x1b[31m$(touch x)'" },
        { "a'\u001b\\", "$'a\\'\\x1b\\\\'" },
        { "", "''" },
    };

    [Theory]
    [MemberData(nameof(Quotes))]
    public void ShellQuoteLeavesPlainNamesBareAndQuotesTheRest(string word, string expected)
    {
        Assert.Equal(expected, TextEscaping.ShellQuote(word));
    }

    [Theory]
    [InlineData("$(touch x)")]
    [InlineData("\u001b[31m$(touch x)")]
    [InlineData("a'b\"c`d`\\e;f|g&h")]
    [InlineData("new\nline")]
    [InlineData("-n")]
    [InlineData("名前")]
    public void AQuotedWordReachesTheShellAsExactlyItselfAndRunsNothing(string word)
    {
        if (!File.Exists("/bin/bash"))
        {
            return; // no bash to ask
        }
        var scratch = Directory.CreateTempSubdirectory("rr-quote-");
        try
        {
            var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, WorkingDirectory = scratch.FullName, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("printf '%s' " + TextEscaping.ShellQuote(word));
            using var bash = Process.Start(start)!;
            var output = bash.StandardOutput.ReadToEnd();
            bash.WaitForExit();

            Assert.Equal(word, output);
            Assert.Empty(scratch.GetFileSystemInfos());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("\u001b[31m$(touch x)")]
    [InlineData("quote\"back\\slash")]
    [InlineData("nl\n\r\t\0")]
    [InlineData("bidi\u202e\uFFFD")]
    public void JsonOutputStaysValidAndKeepsTheName(string name)
    {
        var json = TreeWriter.ToJson(new OutMap().Add("interface", name));

        using var document = JsonDocument.Parse(json);
        Assert.Equal(name, document.RootElement.GetProperty("interface").GetString());
        Assert.DoesNotContain(json, c => char.IsControl(c) && c != '\n');
    }
}

/// <summary>The plan text cannot be forged by a name that bypassed validation.</summary>
public sealed class PlanTextEscapingTests
{
    [Fact]
    public void AHomeNameWithANewlineAndESCStaysOnItsLineEscaped()
    {
        var parsed = Core.Parsing.ConfigLoader.LoadFile("""
            homes:
              - name: corp
                parent: eth1
                addresses: [192.0.2.10/24]
                gateways: [192.0.2.1]
            rules:
              - { protocol: tcp, port: 8080, destination: 203.0.113.5 }
            """, "c.yaml");
        var config = parsed.Config!;
        var forged = config with { Homes = [config.Homes[0] with { Name = "corp)\n# nftables ruleset\n\u001b[2J" }] };

        var text = PlanWriter.ToText(Core.Planning.Planner.Plan(forged));

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain(text.Split('\n'), line => line.StartsWith("# nftables", StringComparison.Ordinal));
        Assert.Contains("(home corp)\\x0a# nftables ruleset\\x0a\\x1b[2J)", text, StringComparison.Ordinal);
    }
}
