namespace RedirectRouter.Netfilter.Execution;

/// <summary>
/// Runs a program with an argument list (never through a shell) and returns what it printed.
/// Behind an interface so the appliers can be unit-tested with a fake; the real one is <see cref="CliWrapCommandRunner"/>.
/// </summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="program"/>, feeding <paramref name="standardInput"/> (if any) on its stdin.</summary>
    /// <returns>The exit code and the buffered output; a non-zero exit code is not an exception here.</returns>
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken);

    /// <summary>
    /// The path <paramref name="program"/> would run from, for a tool started by another (<c>nsenter -- nft</c>),
    /// so that one never searches its own PATH either; a fake may keep the bare name.
    /// </summary>
    string Locate(string program) => program;
}

/// <summary>What a finished program returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr.</param>
/// <param name="ProcessId">The process id it ran as, when known: nf_tables stamps it on the transactions the tool commits.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, int? ProcessId = null)
{
    /// <summary>Whether the program exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
