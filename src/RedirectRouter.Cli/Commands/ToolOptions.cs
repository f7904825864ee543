using System.CommandLine;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>--tool-dir DIR</c> (repeatable) and <c>--tool-timeout SECONDS</c>: where the commands that run tools
/// (nft, iptables*, nsenter, conntrack) find them, and how long each run may take. Without <c>--tool-dir</c>
/// only the system directories are searched, never the current or the application directory.
/// </summary>
internal sealed class ToolOptions
{
    public ToolOptions(Command command)
    {
        Directories = new Option<string[]>("--tool-dir")
        {
            Description = $"Look for nft, iptables, nsenter and conntrack only in DIR (repeatable; default: {string.Join(", ", ToolLocator.SystemDirectories)}).",
            AllowMultipleArgumentsPerToken = false,
        };
        Timeout = new Option<double>("--tool-timeout")
        {
            Description = "Seconds each tool run may take before it is killed and the operation fails (0.1..600).",
            DefaultValueFactory = _ => CliWrapCommandRunner.DefaultTimeout.TotalSeconds,
        };
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0.1 or > 600)
            {
                result.AddError("--tool-timeout must be 0.1..600 seconds");
            }
        });
        command.Options.Add(Directories);
        command.Options.Add(Timeout);
    }

    public Option<string[]> Directories { get; }

    public Option<double> Timeout { get; }

    /// <summary>
    /// Makes the process's tool runner follow the options; false (after printing why) when a directory is not usable.
    /// <paramref name="required"/> tools must be found (the command cannot work without them).
    /// </summary>
    public bool Apply(ParseResult parseResult, CliContext context, out int exitCode, params string[] required)
    {
        exitCode = ExitCodes.Ok;
        var directories = parseResult.GetValue(Directories) is { Length: > 0 } given
            ? given.Select(context.FullPath).ToArray()
            : null;
        foreach (var directory in directories ?? [])
        {
            if (!Directory.Exists(directory))
            {
                context.Stderr.WriteLine($"error: --tool-dir {directory}: no such directory");
                exitCode = ExitCodes.BadInput;
                return false;
            }
        }

        var locator = directories is null ? ToolLocator.System : new ToolLocator(directories);
        CliWrapCommandRunner.UseForProcess(new CliWrapCommandRunner(locator, TimeSpan.FromSeconds(parseResult.GetValue(Timeout))));
        foreach (var tool in required)
        {
            try
            {
                locator.Locate(tool);
            }
            catch (ToolNotFoundException e)
            {
                context.Stderr.WriteLine($"error: a required tool is missing: {e.Message}");
                exitCode = ExitCodes.MissingPrivilegeOrTool;
                return false;
            }
        }

        return true;
    }
}
