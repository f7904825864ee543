using System.CommandLine;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>--netns NAME|PATH | --pid PID</c>: which router namespace a command works on (default: this process's own),
/// shared by <c>diag</c> and <c>cleanup</c>.
/// </summary>
internal sealed class NamespaceTargetOptions
{
    /// <summary>Creates the two options with their checks (not both; a positive PID) and adds them to <paramref name="command"/>.</summary>
    public NamespaceTargetOptions(Command command, string pidDescription)
    {
        Netns = new Option<string?>("--netns") { Description = "The router's network namespace: a name under /run/netns or a path (default: this process's own)." };
        Pid = new Option<int?>("--pid") { Description = pidDescription };
        command.Options.Add(Netns);
        command.Options.Add(Pid);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Netns) is not null && result.GetValue(Pid) is not null)
            {
                result.AddError("--netns and --pid cannot be used together");
            }
        });
        Pid.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--pid must be a positive process id");
            }
        });
    }

    /// <summary><c>--netns</c>.</summary>
    public Option<string?> Netns { get; }

    /// <summary><c>--netns</c> as given, a path made absolute (the process works from "/").</summary>
    public string? NetnsValue(ParseResult parseResult, CliContext context) =>
        parseResult.GetValue(Netns) is { } netns && netns.Contains('/', StringComparison.Ordinal) ? context.FullPath(netns) : parseResult.GetValue(Netns);

    /// <summary><c>--pid</c>.</summary>
    public Option<int?> Pid { get; }
}
