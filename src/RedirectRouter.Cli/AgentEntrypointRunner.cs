using RedirectRouter.Agent;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Cli;

/// <summary>
/// The OpenShift image's modes: <c>init</c> sets up and exits, <c>legacy</c> sets up and stays running
/// (supervising), <c>http-proxy</c> and <c>dns-proxy</c> set up the network only and exit.
/// </summary>
public sealed class AgentEntrypointRunner : IEntrypointRunner
{
    /// <inheritdoc/>
    public int Run(OpenShiftRouterMode mode, RouterConfig config, CliContext context)
    {
        var options = new RouterAgentOptions();
        return mode switch
        {
            OpenShiftRouterMode.Init => AgentRunner.Init(config, options, context, "text"),
            OpenShiftRouterMode.HttpProxy or OpenShiftRouterMode.DnsProxy => AgentRunner.Init(config, options with { NetworkOnly = true }, context, "text"),
            _ => AgentRunner.Run(config, options, context, "text"),
        };
    }
}
