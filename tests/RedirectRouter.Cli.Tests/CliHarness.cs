namespace RedirectRouter.Cli.Tests;

/// <summary>Runs the command line in memory: a fake environment, files from a dictionary, captured output. Nothing on the machine is read or changed.</summary>
internal sealed class CliHarness
{
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public List<string> FilesRead { get; } = [];

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var context = new CliContext(stdout, stderr, Environment, path =>
        {
            FilesRead.Add(path);
            return Files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException($"Could not find file '{path}'.");
        });
        var exitCode = CommandLineRunner.Run(args, context);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    public static string Expected(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Expected", name));

    public CliHarness WithOpenShift(string source, string gateway, string destination, string? mode = null)
    {
        Environment["EGRESS_SOURCE"] = source;
        Environment["EGRESS_GATEWAY"] = gateway;
        Environment["EGRESS_DESTINATION"] = destination;
        if (mode is not null)
        {
            Environment["EGRESS_ROUTER_MODE"] = mode;
        }
        return this;
    }
}
