using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RedirectRouter.Netlink;

namespace RedirectRouter.TestSupport;

/// <summary>
/// A fresh, uniquely named network namespace for one test, removed on dispose even when the test failed.
/// Also runs <c>ip</c> inside it, as an independent witness of what the code under test did.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    /// <summary>Every test namespace name starts with this, so leaks are easy to find.</summary>
    public const string NamePrefix = "rrt-";

    private static readonly ConcurrentDictionary<string, byte> Created = new();
    private static int _counter;

    private TestNamespace(string name, NetNamespace handle)
    {
        Name = name;
        Handle = handle;
    }

    /// <summary>The namespace name under <c>/run/netns</c>.</summary>
    public string Name { get; }

    /// <summary>An open handle to the namespace.</summary>
    public NetNamespace Handle { get; }

    /// <summary>Names created by this process and not yet removed.</summary>
    public static IReadOnlyCollection<string> Outstanding => Created.Keys.ToArray();

    /// <summary>Creates a namespace named <c>rrt-PID-N-purpose</c> with its loopback up.</summary>
    public static TestNamespace Create(string purpose)
    {
        Privileged.Require();
        var name = $"{NamePrefix}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}-{purpose}";
        var handle = NetNamespace.Create(name);
        Created[name] = 0;
        var ns = new TestNamespace(name, handle);
        try
        {
            ns.Ip("link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>ip -n NAME ARGS</c> and returns its standard output; a non-zero exit throws.</summary>
    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs <c>ip -j -n NAME ARGS</c> and parses the JSON array it prints.</summary>
    public JsonElement IpJson(params string[] args)
    {
        var text = Run("ip", ["-j", "-n", Name, .. args]);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "[]" : text);
        return document.RootElement.Clone();
    }

    /// <summary>Runs <c>ip -n NAME ARGS</c> and returns its exit code and error text, without throwing.</summary>
    public (int ExitCode, string Error) TryIp(params string[] args)
    {
        var (code, _, error) = Execute("ip", ["-n", Name, .. args]);
        return (code, error);
    }

    /// <summary>Runs a program and returns its standard output; a non-zero exit throws with its error text.</summary>
    public static string Run(string program, IReadOnlyList<string> args)
    {
        var (code, output, error) = Execute(program, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}: {error.Trim()}");
        }

        return output;
    }

    /// <summary>Runs a program and returns its exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Error) Execute(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Removes the namespace.</summary>
    public void Dispose()
    {
        Handle.Dispose();
        NetNamespace.Delete(Name);
        Created.TryRemove(Name, out _);
    }
}
