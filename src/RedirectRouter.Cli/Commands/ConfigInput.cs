using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Cli.Commands;

/// <summary>Loads the configuration for a command: the --config file, or else the OpenShift environment variables.</summary>
internal static class ConfigInput
{
    /// <summary>The --config option shared by commands.</summary>
    public static System.CommandLine.Option<string?> CreateOption() => new("--config", "-c")
    {
        Description = "The configuration file (native YAML/JSON or an EgressRouter resource); without it, the OpenShift EGRESS_* environment variables.",
    };

    /// <summary>Loads and validates; null (after printing why) if the file cannot be read.</summary>
    public static ConfigParseResult? Load(CliContext context, string? configPath) => Load(context, configPath, out _);

    /// <summary>Loads and validates; <paramref name="text"/> is the file's content exactly as parsed (read once).</summary>
    public static ConfigParseResult? Load(CliContext context, string? configPath, out string? text)
    {
        text = null;
        if (configPath is not null)
        {
            if (TryRead(context, configPath) is not { } content)
            {
                return null;
            }
            text = content;
            return ConfigLoader.LoadFile(content, configPath);
        }
        return LoadEnvironment(context).Result;
    }

    /// <summary>Loads the OpenShift environment, reading EGRESS_DESTINATION_FILE if it is set.</summary>
    public static (OpenShiftEnvironmentResult OpenShift, ConfigParseResult Result) LoadEnvironment(CliContext context)
    {
        string? fileContent = null;
        if (context.Environment.TryGetValue(OpenShiftVariables.DestinationFile, out var path) && path.Length > 0)
        {
            // A failure is reported by the parser (RR1010) with the variable's location; say why here.
            fileContent = TryRead(context, path);
        }
        return ConfigLoader.LoadEnvironment(context.Environment, fileContent);
    }

    /// <summary>Prints every finding to stderr, one per line.</summary>
    public static void Report(CliContext context, IEnumerable<ConfigDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            // Messages quote the offending value; escaped, it cannot move the cursor or start a line of its own.
            context.Stderr.WriteLine(Core.Rendering.TextEscaping.Escape(diagnostic.ToString()));
        }
    }

    private static string? TryRead(CliContext context, string path)
    {
        try
        {
            return context.ReadFile(context.FullPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            context.Stderr.WriteLine(Core.Rendering.TextEscaping.Escape($"error: cannot read '{path}': {e.Message}"));
            return null;
        }
    }
}
