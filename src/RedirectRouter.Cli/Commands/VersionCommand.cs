using System.CommandLine;
using System.Reflection;

namespace RedirectRouter.Cli.Commands;

/// <summary><c>redirect-router version</c>: prints the product version.</summary>
public static class VersionCommand
{
    /// <summary>The version string shown by <c>version</c>.</summary>
    public static string Text =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";

    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("version", "Print the version and exit.");
        command.SetAction(_ =>
        {
            stdout.WriteLine($"redirect-router {Text}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
