using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.Netfilter;

/// <summary>Creates the backend the configuration asks for (auto = nftables when usable, else iptables).</summary>
public static class NetfilterBackends
{
    /// <summary>The renderers, for <c>plan</c> (no probing: iptables renders shifted port ranges).</summary>
    public static IReadOnlyList<IRulesetRenderer> Renderers { get; } = [new NftRenderer(), new IptablesRenderer()];

    /// <summary>Creates the backend for <paramref name="target"/>.</summary>
    /// <exception cref="NetfilterException">The requested backend (or, for auto, both) cannot run here.</exception>
    public static INetfilterBackend Create(NetfilterBackend requested, NetfilterCapabilities capabilities, NetfilterTarget target,
        ICommandRunner? runner = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return capabilities.Choose(requested) == NetfilterBackend.Nftables
            ? new NftablesBackend(target, runner, loggers?.CreateLogger<NftablesBackend>())
            : new IptablesBackend(target, capabilities, runner, loggers?.CreateLogger<IptablesBackend>());
    }
}
