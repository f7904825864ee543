using System.Diagnostics;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Cli.Tests;

/// <summary>
/// The real program on files that are not configurations: a FIFO, a device, a directory and a 100 MiB file each
/// exit 2 at once with a message naming the file; tool options are checked before anything runs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BoundedInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rr-inputs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int ExitCode, string Output, string Error, TimeSpan Took) Program(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "redirect-router.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("EGRESS_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new TimeoutException($"redirect-router {string.Join(' ', args)} did not exit");
        }

        return (process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    // How long the program takes to start and validate a good file here: the refusals must add nothing to it.
    private TimeSpan Baseline()
    {
        var good = Path.Combine(_dir, "good.yaml");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Expected", "two-homes.yaml"), good, overwrite: true);
        var result = Program(_dir, null, "validate", "--config", good);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Took;
    }

    [Fact]
    public void AFifoADeviceADirectoryAndAHugeFileExitTwoAtOnceNamingTheFile()
    {
        TestNamespace.Run("mkfifo", [Path.Combine(_dir, "fifo")]);
        Directory.CreateDirectory(Path.Combine(_dir, "directory"));
        using (var huge = File.Create(Path.Combine(_dir, "huge.yaml")))
        {
            huge.SetLength(100L * 1024 * 1024);
        }

        var baseline = Baseline();
        foreach (var (given, shown, reason) in new[]
        {
            ("fifo", Path.Combine(_dir, "fifo"), "not a regular file (a FIFO)"),
            ("/dev/zero", "/dev/zero", "not a regular file (a character device)"),
            ("directory", Path.Combine(_dir, "directory"), "not a regular file (a directory)"),
            ("huge.yaml", Path.Combine(_dir, "huge.yaml"), "more than the limit of 8388608 bytes"),
        })
        {
            // Relative names are taken from the directory the program was started in.
            var (code, _, error, took) = Program(_dir, null, "validate", "--config", given);
            TestContext.Current.TestOutputHelper?.WriteLine($"{given}: exit {code} in {took.TotalMilliseconds:0} ms (a good file: {baseline.TotalMilliseconds:0} ms)");
            Assert.Equal(2, code);
            Assert.Contains($"error: cannot read '{given}': {shown}: ", error);
            Assert.Contains(reason, error);
            Assert.True(took < TimeSpan.FromSeconds(1), $"{given} took {took}");
        }

        // The destination file of the OpenShift variables is held to the same rules.
        var environment = new Dictionary<string, string>
        {
            ["EGRESS_SOURCE"] = "192.0.2.10", ["EGRESS_GATEWAY"] = "192.0.2.1", ["EGRESS_DESTINATION_FILE"] = Path.Combine(_dir, "fifo"),
        };
        var openShift = Program(_dir, environment, "validate");
        Assert.Equal(2, openShift.ExitCode);
        Assert.Contains("not a regular file (a FIFO)", openShift.Error);
    }

    [Fact]
    public void ToolOptionsAreCheckedBeforeAnythingRuns()
    {
        Privileged.Require();
        var empty = Path.Combine(_dir, "no-tools");
        Directory.CreateDirectory(empty);

        // Another namespace needs nsenter: missing, the command stops before it opens anything.
        var cleanup = Program(_dir, null, "cleanup", "--netns", "rrt-no-such-namespace", "--tool-dir", empty);
        Assert.Equal(3, cleanup.ExitCode);
        Assert.Contains($"error: a required tool is missing: nsenter: not found in {empty}", cleanup.Error);

        var missingDirectory = Program(_dir, null, "diag", "--tool-dir", "no-such-directory");
        Assert.Equal(2, missingDirectory.ExitCode);
        Assert.Contains($"--tool-dir {Path.Combine(_dir, "no-such-directory")}: no such directory", missingDirectory.Error);

        Assert.Equal(2, Program(_dir, null, "init", "--tool-timeout", "0").ExitCode);
    }
}
