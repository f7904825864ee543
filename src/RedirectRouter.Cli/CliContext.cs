using System.Collections;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Cli;

/// <summary>
/// What commands may use from the outside world: output streams, the environment and file reading.
/// Tests pass their own, so validate and plan are checked without touching the process or the system.
/// </summary>
public sealed class CliContext
{
    /// <summary>Creates a context.</summary>
    public CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, Func<string, string> readFile)
    {
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
        ReadFile = readFile;
    }

    /// <summary>Results go here.</summary>
    public TextWriter Stdout { get; }

    /// <summary>Errors and logs go here.</summary>
    public TextWriter Stderr { get; }

    /// <summary>The environment variables (the OpenShift EGRESS_* variables are read from here).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>
    /// Reads a whole text file, once; throws IOException (or UnauthorizedAccessException) when it cannot. The real
    /// one takes only a regular file of bounded size (<see cref="Agent.Inputs.BoundedFile"/>).
    /// </summary>
    public Func<string, string> ReadFile { get; }

    /// <summary>
    /// The directory the process was started in, when it has since moved to <c>/</c> (so no tool or lookup ever
    /// uses a directory someone else may write to); relative paths on the command line are taken from here.
    /// </summary>
    public string? OriginalDirectory { get; init; }

    /// <summary>A path from the command line or the environment, made absolute against <see cref="OriginalDirectory"/>.</summary>
    public string FullPath(string path) => OriginalDirectory is null ? path : Path.GetFullPath(path, OriginalDirectory);

    /// <summary>The netfilter renderers available to <c>plan</c> (the Netfilter project registers them).</summary>
    public IList<IRulesetRenderer> Renderers { get; } = [];

    /// <summary>Runs the agent modes (init, legacy, http-proxy, dns-proxy); null until the agent is wired in.</summary>
    public IEntrypointRunner? EntrypointRunner { get; set; }

    /// <summary>The real process: console streams, process environment, file system.</summary>
    public static CliContext FromProcess(TextWriter stdout, TextWriter stderr, string? originalDirectory = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        return new CliContext(stdout, stderr, environment, path => Agent.Inputs.BoundedFile.ReadText(path)) { OriginalDirectory = originalDirectory };
    }
}
