using System.CommandLine;
using RedirectRouter.Agent;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Cli.Commands;

/// <summary>The options shared by <c>init</c> and <c>run</c>.</summary>
internal sealed class AgentOptionSet
{
    public Option<string?> Config { get; } = ConfigInput.CreateOption();

    public Option<string?> Backend { get; } = new("--backend") { Description = "auto, iptables or nftables (default: the configuration's, else auto)." };

    public Option<string?> HostNetns { get; } = new("--host-netns") { Description = "The node's network namespace (for example a mounted /proc/1/ns/net), where the macvlan is created on the parent NIC." };

    public Option<bool> Force { get; } = new("--force") { Description = "Run even in a namespace that holds a parent NIC (the node's own)." };

    public Option<string> LogFormat { get; } = new("--log-format") { Description = "text or json (logs go to stderr).", DefaultValueFactory = _ => "text" };

    public Option<int> ProbeWindow { get; } = new("--probe-window") { Description = "Milliseconds to listen for another host holding an IPv4 egress address before claiming it (0 skips the probe).", DefaultValueFactory = _ => 200 };

    public ToolOptions? Tools { get; private set; }

    public AgentOptionSet()
    {
        Backend.AcceptOnlyFromAmong("auto", "iptables", "nftables");
        LogFormat.AcceptOnlyFromAmong("text", "json");
        ProbeWindow.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 10_000)
            {
                result.AddError("--probe-window must be 0..10000 ms");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Backend);
        command.Options.Add(HostNetns);
        command.Options.Add(Force);
        command.Options.Add(LogFormat);
        command.Options.Add(ProbeWindow);
        Tools = new ToolOptions(command);
    }

    public RouterAgentOptions Read(ParseResult parseResult, CliContext context)
    {
        NetfilterBackend? backend = null;
        if (parseResult.GetValue(Backend) is { } text && EnumWords.TryParseBackend(text, out var parsed))
        {
            backend = parsed;
        }

        return new RouterAgentOptions
        {
            // Absolute: the process works from "/", and run watches and re-reads the file.
            ConfigPath = parseResult.GetValue(Config) is { } config ? context.FullPath(config) : null,
            HostNetns = parseResult.GetValue(HostNetns) is { } host ? context.FullPath(host) : null,
            Backend = backend,
            Force = parseResult.GetValue(Force),
            DuplicateProbeWindow = TimeSpan.FromMilliseconds(parseResult.GetValue(ProbeWindow)),
        };
    }
}
