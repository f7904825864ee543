using CliWrap;
using CliWrap.Buffered;

namespace RedirectRouter.Netfilter.Execution;

/// <summary>Runs programs through CliWrap: argument lists, stdin from a string, output buffered.</summary>
public sealed class CliWrapCommandRunner : ICommandRunner
{
    /// <summary>A shared instance (it holds no state).</summary>
    public static CliWrapCommandRunner Instance { get; } = new();

    /// <inheritdoc/>
    public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        var running = command.ExecuteBufferedAsync(cancellationToken);
        var processId = running.ProcessId;
        var result = await running.ConfigureAwait(false);
        return new CommandResult(result.ExitCode, result.StandardOutput, result.StandardError, processId);
    }
}
