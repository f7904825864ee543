using System.Collections.Concurrent;
using System.Text;
using Tmds.Linux;

namespace RedirectRouter.Netfilter.Execution;

/// <summary>
/// Finds the tools the agent runs (nft, iptables*, ip6tables*, nsenter, conntrack) in a fixed list of system
/// directories, never in the current or the application directory (where .NET's own lookup would look first,
/// so a planted <c>./nft</c> would run as root). A file that someone other than root (or this user) could
/// change is refused, as is one in such a directory. Each name is looked up once per process.
/// </summary>
public sealed class ToolLocator
{
    /// <summary>Where tools are looked for unless the command line names other directories.</summary>
    public static IReadOnlyList<string> SystemDirectories { get; } = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>Every tool the agent and its commands may run.</summary>
    public static IReadOnlyList<string> KnownTools { get; } =
    [
        "nft", "nsenter", "conntrack",
        "iptables", "iptables-save", "iptables-restore", "ip6tables", "ip6tables-save", "ip6tables-restore",
        "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore", "ip6tables-legacy-save", "ip6tables-legacy-restore",
        "iptables-nft", "iptables-nft-save", "iptables-nft-restore", "ip6tables-nft-save", "ip6tables-nft-restore",
    ];

    private readonly ConcurrentDictionary<string, Lookup> _found = new(StringComparer.Ordinal);

    /// <summary>A locator searching <paramref name="directories"/> in order (absolute paths).</summary>
    public ToolLocator(IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        foreach (var directory in directories)
        {
            if (!Path.IsPathFullyQualified(directory))
            {
                throw new ArgumentException($"tool directory '{directory}' is not an absolute path", nameof(directories));
            }
        }

        Directories = directories;
    }

    /// <summary>The system directories.</summary>
    public static ToolLocator System { get; } = new(SystemDirectories);

    /// <summary>The directories searched, in order.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>The absolute path of <paramref name="tool"/> (a bare name).</summary>
    /// <exception cref="ToolNotFoundException">It is in none of the directories, or only where it could be changed by others.</exception>
    public string Locate(string tool)
    {
        var lookup = Find(tool);
        return lookup.Path ?? throw new ToolNotFoundException(tool, lookup.Problem!);
    }

    /// <summary>Looks up every known tool now (the process's one lookup) and returns what was found, for the log.</summary>
    public IReadOnlyList<(string Tool, string? Path, string? Problem)> LocateAll() =>
        KnownTools.Select(t => Find(t)).Select((l, i) => (KnownTools[i], l.Path, l.Problem)).ToList();

    /// <summary>One line for the log: the tools found with their paths.</summary>
    public string Describe() =>
        string.Join(", ", LocateAll().Where(t => t.Path is not null).Select(t => $"{t.Tool}={t.Path}"))
        + $" (searched {string.Join(':', Directories)})";

    private Lookup Find(string tool)
    {
        ArgumentException.ThrowIfNullOrEmpty(tool);
        if (tool.Contains('/', StringComparison.Ordinal) || tool is "." or "..")
        {
            throw new ArgumentException($"'{tool}' is not a bare tool name", nameof(tool));
        }

        return _found.GetOrAdd(tool, Search);
    }

    private Lookup Search(string tool)
    {
        string? refused = null;
        foreach (var directory in Directories)
        {
            var candidate = Path.Combine(directory, tool);
            switch (Check(candidate))
            {
                case null:
                    continue;
                case "":
                    return new Lookup(candidate, null);
                case var problem:
                    refused ??= $"{candidate} refused: {problem}";
                    break;
            }
        }

        return new Lookup(null, refused ?? $"not found in {string.Join(", ", Directories)}");
    }

    // null: no such file; "": a safe executable; otherwise why it is refused. Symbolic links (the
    // alternatives system's /usr/sbin/iptables) are followed: the final file and its directory are judged.
    private static string? Check(string path)
    {
        if (!TryStat(path, out var mode, out var uid))
        {
            return null;
        }

        if ((mode & 0xF000) != 0x8000)
        {
            return "not a regular file";
        }

        if ((mode & 0x49) == 0)
        {
            return "not executable";
        }

        if (!Trusted(mode, uid))
        {
            return "writable by group or others, or owned by another user";
        }

        var real = RealPath(path);
        var directory = Path.GetDirectoryName(real);
        if (directory is not null && TryStat(directory, out var directoryMode, out var directoryUid) && !Trusted(directoryMode, directoryUid))
        {
            return $"its directory {directory} is writable by group or others, or owned by another user";
        }

        return "";
    }

    private static bool Trusted(uint mode, uint uid) => (mode & 0x12) == 0 && (uid == 0 || uid == (uint)LibC.geteuid());

    private static string RealPath(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static unsafe bool TryStat(string path, out uint mode, out uint uid)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat status;
        fixed (byte* p = bytes)
        {
            if (LibC.stat(p, &status) != 0)
            {
                mode = 0;
                uid = 0;
                return false;
            }
        }

        mode = (uint)status.st_mode;
        uid = (uint)status.st_uid;
        return true;
    }

    private sealed record Lookup(string? Path, string? Problem);
}

/// <summary>A tool the agent needs is not installed where it looks (or only where others could change it).</summary>
public sealed class ToolNotFoundException : System.ComponentModel.Win32Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolNotFoundException(string tool, string problem)
        : base(2, $"{tool}: {problem}") => Tool = tool;

    /// <summary>Creates the exception.</summary>
    public ToolNotFoundException() : this("", "not found")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ToolNotFoundException(string message) : base(2, message) => Tool = "";

    /// <summary>Creates the exception.</summary>
    public ToolNotFoundException(string message, Exception innerException) : base(message, innerException) => Tool = "";

    /// <summary>The tool that is missing.</summary>
    public string Tool { get; }
}
