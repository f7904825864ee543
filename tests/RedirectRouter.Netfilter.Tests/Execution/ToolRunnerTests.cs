using System.Diagnostics;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Netfilter.Tests.Execution;

/// <summary>
/// The real runner with real processes (shell scripts standing in for the tools): tools come only from the
/// directories given, never from the current directory; a run that outlasts its deadline is killed with what it
/// started; output beyond the cap fails the run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ToolRunnerTests : IDisposable
{
    private readonly string _tools = Directory.CreateTempSubdirectory("rr-tools-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("rr-cwd-").FullName;

    public void Dispose()
    {
        Directory.Delete(_tools, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    private static string Script(string directory, string name, string body, UnixFileMode? mode = null)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, mode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));
        return path;
    }

    private CliWrapCommandRunner Runner(double seconds = 5, int limit = CliWrapCommandRunner.DefaultOutputLimit) =>
        new(new ToolLocator([_tools]), TimeSpan.FromSeconds(seconds), limit);

    [Fact]
    public async Task AToolIsRunFromTheGivenDirectoryByAbsolutePathAndNeverFromTheCurrentOne()
    {
        var trace = Path.Combine(_elsewhere, "trace");
        Script(_elsewhere, "nft", $"echo planted >> {trace}");
        Script(_tools, "nft", "echo \"real $0 $(pwd)\"");
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _elsewhere;
        try
        {
            var result = await Runner().RunAsync("nft", ["--version"], null, TestContext.Current.CancellationToken);
            Assert.Equal($"real {Path.Combine(_tools, "nft")} /", result.StandardOutput.Trim());

            // A tool that exists only in the current directory (and on PATH) is not found at all.
            var onlyHere = Assert.Throws<ToolNotFoundException>(() => Runner().Locate("conntrack-planted"));
            Assert.Contains("not found in " + _tools, onlyHere.Message);
            Script(_elsewhere, "conntrack", $"echo planted >> {trace}");
            await Assert.ThrowsAsync<ToolNotFoundException>(() => Runner().RunAsync("conntrack", ["-L"], null, TestContext.Current.CancellationToken));
            Assert.False(File.Exists(trace), "a planted tool ran");
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public void TheSystemDirectoriesAreTheFixedList()
    {
        Assert.Equal(["/usr/sbin", "/sbin", "/usr/bin", "/bin"], ToolLocator.SystemDirectories);
        Assert.Throws<ArgumentException>(() => new ToolLocator(["relative/dir"]));
        Assert.Throws<ArgumentException>(() => ToolLocator.System.Locate("./nft"));
        Assert.Throws<ArgumentException>(() => ToolLocator.System.Locate("../sbin/nft"));
    }

    [Fact]
    public void AToolOthersCouldChangeIsRefused()
    {
        Script(_tools, "nft", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite
            | UnixFileMode.OtherWrite | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Script(_tools, "iptables", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupWrite);
        Script(_tools, "nsenter", "exit 0", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var locator = new ToolLocator([_tools]);

        Assert.Contains("writable by group or others", Assert.Throws<ToolNotFoundException>(() => locator.Locate("nft")).Message);
        Assert.Contains("writable by group or others", Assert.Throws<ToolNotFoundException>(() => locator.Locate("iptables")).Message);
        Assert.Contains("not executable", Assert.Throws<ToolNotFoundException>(() => locator.Locate("nsenter")).Message);

        // A safe file in a directory anyone may write to is refused too (it could be swapped).
        var open = Directory.CreateTempSubdirectory("rr-open-").FullName;
        try
        {
            File.SetUnixFileMode(open, (UnixFileMode)0x1FF);
            Script(open, "conntrack", "exit 0");
            Assert.Contains("its directory", Assert.Throws<ToolNotFoundException>(() => new ToolLocator([open]).Locate("conntrack")).Message);
        }
        finally
        {
            Directory.Delete(open, recursive: true);
        }
    }

    [Fact]
    public async Task AHungToolIsKilledWithWhatItStartedAndTheRunFailsNamingIt()
    {
        var pids = Path.Combine(_tools, "pids");
        // The tool starts a child that would keep the output pipe open forever.
        Script(_tools, "nft", $"sleep 300 & echo $! > {pids}; echo $$ >> {pids}; wait");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<NetfilterException>(() => Runner(seconds: 1).RunAsync("nft", ["-f", "-"], "flush ruleset\n", TestContext.Current.CancellationToken));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 2.5);
        Assert.Equal("nft", error.Tool);
        Assert.Contains("nft did not finish within 1 s and was killed", error.Message);
        foreach (var pid in File.ReadAllLines(pids).Select(int.Parse))
        {
            Lab(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z", $"process {pid} killed");
        }
    }

    [Fact]
    public async Task OutputBeyondTheCapFailsTheRun()
    {
        Script(_tools, "nft", "head -c 300000 /dev/zero; sleep 300");
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<NetfilterException>(() => Runner(seconds: 20, limit: 100_000).RunAsync("nft", ["list", "ruleset"], null, TestContext.Current.CancellationToken));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("nft printed more than", error.Message);
        Assert.Contains("stdout", error.Message);

        // Within the cap, the whole output arrives.
        Script(_tools, "nft", "head -c 99000 /dev/zero | tr '\\0' x");
        Assert.Equal(99_000, (await Runner(limit: 100_000).RunAsync("nft", [], null, TestContext.Current.CancellationToken)).StandardOutput.Length);
    }

    [Fact]
    public async Task ToolsForAnotherNamespaceGetTheInnerToolsAbsolutePath()
    {
        Script(_tools, "nsenter", "echo \"$@\"");
        Script(_tools, "nft", "exit 0");
        var result = await NetfilterTarget.Named("x").RunAsync(Runner(), "nft", ["list", "tables"], null, TestContext.Current.CancellationToken);
        Assert.Equal($"--net=/run/netns/x -- {Path.Combine(_tools, "nft")} list tables", result.StandardOutput.Trim());
    }

    private static void Lab(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{what} did not happen");
            Thread.Sleep(20);
        }
    }
}
