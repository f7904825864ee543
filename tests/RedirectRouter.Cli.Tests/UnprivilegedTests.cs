using System.Text.Json;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Cli.Tests;

/// <summary>
/// <c>validate</c> and <c>plan</c> run as an unprivileged user (nobody, no capabilities) and leave the
/// machine as it was: the real binary, a real process, the machine's namespace compared before and after.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnprivilegedTests
{
    private static string Snapshot()
    {
        // Read-only look at this machine's own namespace: links, addresses, routes, rules and namespaces.
        var parts = new[]
        {
            TestNamespace.Run("ip", ["-j", "link", "show"]),
            TestNamespace.Run("ip", ["-j", "addr", "show"]),
            TestNamespace.Run("ip", ["-j", "route", "show", "table", "all"]),
            TestNamespace.Run("ip", ["-j", "rule", "show"]),
            string.Join(',', RedirectRouter.Netlink.NetNamespace.ListNames().Where(n => !n.StartsWith(TestNamespace.NamePrefix, StringComparison.Ordinal))),
        };
        // Counters change with background traffic; compare the structure without them.
        return string.Join('\n', parts.Select(p => System.Text.RegularExpressions.Regex.Replace(p, "\"(stats64|stats|used|expires|lastused|preferred_life_time|valid_life_time)\":[^,}]+,?", "")));
    }

    // nobody may not be able to reach the build output (a checkout under a 0700 directory, as mktemp -d makes),
    // so the program's files are copied to a directory of their own that anyone can read.
    private static string CopyProgramForEveryone()
    {
        var directory = Directory.CreateTempSubdirectory("rr-unpriv-").FullName;
        // With the runtimes/ tree: the native-interop assemblies (Tmds.LibC) live there.
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(directory, Path.GetRelativePath(AppContext.BaseDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var path in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Append(directory))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        return directory;
    }

    private static (int ExitCode, string Output, string Error) RunAsNobody(string programDirectory, params string[] args)
    {
        var cli = Path.Combine(programDirectory, "redirect-router.dll");
        return TestNamespace.Execute("setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1",
            "dotnet", cli, .. args,
        ]);
    }

    [Fact]
    public void ValidateAndPlanNeedNoPrivilegeAndChangeNothing()
    {
        Privileged.Require(); // root is needed only to drop to nobody
        var config = Path.Combine(Path.GetTempPath(), $"rr-unpriv-{Environment.ProcessId}.yaml");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Expected", "two-homes.yaml"), config, overwrite: true);
        var program = CopyProgramForEveryone();
        try
        {
            var before = Snapshot();

            var validate = RunAsNobody(program, "validate", "--config", config);
            Assert.True(validate.ExitCode == 0, $"validate exited {validate.ExitCode}: {validate.Error}");

            var plan = RunAsNobody(program, "plan", "--config", config, "--output", "json");
            Assert.True(plan.ExitCode == 0, $"plan exited {plan.ExitCode}: {plan.Error}");
            using var document = JsonDocument.Parse(plan.Output);
            Assert.Equal(2, document.RootElement.GetProperty("links").GetArrayLength());

            var bad = RunAsNobody(program, "validate", "--config", "/nonexistent/config.yaml");
            Assert.Equal(2, bad.ExitCode);

            Assert.Equal(before, Snapshot());
        }
        finally
        {
            File.Delete(config);
            Directory.Delete(program, recursive: true);
        }
    }
}
