using System.CommandLine;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.Core.Rendering;

namespace RedirectRouter.Cli.Commands;

/// <summary>
/// <c>redirect-router plan [--config FILE] [--backend ...] [--output text|json]</c>: prints the links, addresses,
/// routes, rules and NAT the agent would set up; touches nothing.
/// </summary>
public static class PlanCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var config = ConfigInput.CreateOption();
        var backend = new Option<string?>("--backend") { Description = "The netfilter backend to render for: auto, iptables or nftables (default: the config's)." };
        backend.AcceptOnlyFromAmong("auto", "iptables", "nftables");
        var output = new Option<string>("--output", "-o") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");

        var command = new Command("plan", "Print what would be set up (links, addresses, routes, rules, NAT). Needs no privilege; changes nothing.");
        command.Options.Add(config);
        command.Options.Add(backend);
        command.Options.Add(output);
        command.SetAction(parseResult =>
        {
            var result = ConfigInput.Load(context, parseResult.GetValue(config));
            if (result is null)
            {
                return ExitCodes.BadInput;
            }
            ConfigInput.Report(context, result.Diagnostics);
            if (result.Config is null)
            {
                return ExitCodes.BadInput;
            }
            var chosen = result.Config.Settings.Backend;
            if (parseResult.GetValue(backend) is { } backendText)
            {
                EnumWords.TryParseBackend(backendText, out chosen);
            }
            var state = Planner.Plan(result.Config);
            var ruleset = Render(context, chosen, state.Nat);
            context.Stdout.Write(parseResult.GetValue(output) == "json"
                ? PlanWriter.ToJson(state, ruleset)
                : PlanWriter.ToText(state, ruleset) + (ruleset is null ? "# netfilter ruleset: not rendered in this build (the NAT model above is what it will hold)\n" : ""));
            return ExitCodes.Ok;
        });
        return command;
    }

    // "auto" picks nftables when available, as the agent will; plan does not probe the machine.
    private static RenderedRuleset? Render(CliContext context, NetfilterBackend backend, NatModel nat)
    {
        var wanted = backend switch
        {
            NetfilterBackend.Iptables => "iptables",
            _ => "nftables",
        };
        var renderer = context.Renderers.FirstOrDefault(r => r.Backend == wanted)
            ?? (backend == NetfilterBackend.Auto ? context.Renderers.FirstOrDefault() : null);
        return renderer is null ? null : new RenderedRuleset(renderer.Backend, renderer.Render(nat));
    }
}
