using System.Collections.Concurrent;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Netfilter.Tests.Support;

/// <summary>
/// Runs the real tools and records each one it starts (the tool inside <c>nsenter</c>, with its arguments), so a
/// test can count how often an operation reads our state (<c>iptables-save</c>, <c>nft list</c>) and loads it
/// (<c>iptables-restore</c>, <c>nft -f</c>).
/// </summary>
internal sealed class CountingRunner(ICommandRunner inner) : ICommandRunner
{
    private readonly ConcurrentQueue<string> _started = new();

    public CountingRunner() : this(CliWrapCommandRunner.Instance)
    {
    }

    /// <summary>Every tool started since the last <see cref="Take"/>, as "tool args".</summary>
    public IReadOnlyList<string> Started => [.. _started];

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var tool = program == "nsenter" && arguments.ToList().IndexOf("--") is var at and >= 0
            ? string.Join(' ', arguments.Skip(at + 1).Select((a, i) => i == 0 ? Path.GetFileName(a) : a))
            : string.Join(' ', [Path.GetFileName(program), .. arguments]);
        _started.Enqueue(tool);
        return inner.RunAsync(program, arguments, standardInput, cancellationToken);
    }

    public string Locate(string program) => inner.Locate(program);

    /// <summary>The tools started since the last call, and forgets them.</summary>
    public ToolCounts Take()
    {
        var list = new List<string>();
        while (_started.TryDequeue(out var tool))
        {
            list.Add(tool);
        }
        return new ToolCounts(list);
    }
}

/// <summary>The tools one operation started, by kind.</summary>
internal sealed record ToolCounts(IReadOnlyList<string> Tools)
{
    /// <summary>Listings of the state: iptables-save / ip6tables-save and nft list.</summary>
    public int Reads => Tools.Count(t => t.Split(' ')[0].EndsWith("-save", StringComparison.Ordinal) || t.StartsWith("nft -j", StringComparison.Ordinal) || t.StartsWith("nft list", StringComparison.Ordinal));

    /// <summary>Listings of the IPv6 state (ip6tables-save).</summary>
    public int Ipv6Reads => Tools.Count(t => t.StartsWith("ip6tables", StringComparison.Ordinal) && t.Split(' ')[0].EndsWith("-save", StringComparison.Ordinal));

    /// <summary>Loads: iptables-restore / ip6tables-restore (not --version) and nft -f.</summary>
    public int Loads => Tools.Count(t => (t.Split(' ')[0].EndsWith("-restore", StringComparison.Ordinal) && !t.Contains("--version", StringComparison.Ordinal)) || t.StartsWith("nft -f", StringComparison.Ordinal));

    /// <summary>Every tool process.</summary>
    public int Processes => Tools.Count;

    public override string ToString() => $"{Processes} processes, {Reads} reads ({Ipv6Reads} IPv6), {Loads} loads: {string.Join(" | ", Tools)}";
}
