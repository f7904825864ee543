using System.Text.Json;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// <c>diag</c> on a namespace holding an interface whose kernel name carries ESC and a command substitution (the
/// kernel allows both): the text report prints it escaped, the suggested command quotes it so that copying it
/// runs nothing else and still names that very interface, and the JSON report stays valid and exact.
/// </summary>
public sealed class OutputEscapingEndToEndTests
{
    // ESC [ 3 1 m, then $(>x): a shell that ran it would create the file x, as $(touch x) would (the kernel
    // refuses spaces in names, so "touch x" itself cannot be one).
    private const string EvilName = "\u001b[31m$(>x)";

    [Fact]
    public void AnInterfaceNamedWithESCAndACommandSubstitutionIsPrintedEscapedAndQuoted()
    {
        Privileged.Require();
        using var ns = TestNamespace.Create("escape");
        ns.Ip("link", "add", EvilName, "type", "veth", "peer", "name", "peer0");
        // Marked as ours, left down: diag reports it as a home and suggests `ip link set NAME up`.
        ns.Ip("link", "set", "dev", EvilName, "alias", "redirect-router");
        var scratch = Directory.CreateTempSubdirectory("rr-escape-");
        try
        {
            var (_, text, textError) = Diag(ns, scratch.FullName);
            var (_, json, _) = Diag(ns, scratch.FullName, "--output", "json");

            Assert.DoesNotContain('\u001b', text + textError);
            Assert.Contains("\\x1b[31m$(>x)", text, StringComparison.Ordinal);
            var hint = text.Split('\n').Single(l => l.Contains("next:", StringComparison.Ordinal) && l.Contains("`ip link set ", StringComparison.Ordinal));
            var command = hint.Split('`')[1];
            Assert.Equal("ip link set $'\\x1b[31m$(>x)' up", command);

            // The suggested command, run by a shell in the namespace: it brings up exactly that interface and runs nothing else.
            var (code, _, error) = TestNamespace.Execute("ip", ["netns", "exec", ns.Name, "/bin/bash", "-c", $"cd {scratch.FullName} && {command}"]);
            Assert.True(code == 0, error);
            Assert.Empty(scratch.GetFileSystemInfos());
            // (ip -j would print the ESC raw, which is not JSON: read the flags from the one-line form.)
            var line = ns.Ip("-o", "link", "show", "dev", EvilName);
            var open = line.IndexOf(": <", StringComparison.Ordinal) + 3;
            var flags = line[open..line.IndexOf('>', open)].Split(',');
            Assert.Contains("UP", flags);

            using var report = JsonDocument.Parse(json);
            Assert.Contains(EvilName, report.RootElement.GetProperty("interfaces").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    // Run from the scratch directory: a `$(>x)` that some output path executed would leave x there.
    private static (int Code, string Output, string Error) Diag(TestNamespace ns, string workingDirectory, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var arg in new[] { "netns", "exec", ns.Name, "dotnet", Lab.Cli, "diag" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "diag did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }
}
