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
            ? new NftablesBackend(target, runner, loggers?.CreateLogger<NftablesBackend>()) { NftVersion = capabilities.NftVersion }
            : new IptablesBackend(target, capabilities, runner, loggers?.CreateLogger<IptablesBackend>());
    }

    /// <summary>
    /// Removes what we own in both front ends (a backend switch leaves the other one's objects behind): our
    /// nftables tables (those that carry our mark) and our iptables chains with the jumps to them.
    /// </summary>
    /// <returns>What was removed (or, with <paramref name="dryRun"/>, would be), one line each.</returns>
    public static async Task<IReadOnlyList<string>> RemoveOwnedAsync(ICommandRunner runner, NetfilterTarget target, bool dryRun,
        ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(target);
        var items = new List<string>();
        var capabilities = await NetfilterProbe.ProbeAsync(runner, target, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (capabilities.NftVersion is not null)
        {
            var nft = new NftablesBackend(target, runner, loggers?.CreateLogger<NftablesBackend>()) { NftVersion = capabilities.NftVersion };
            var families = await nft.OwnedTableFamiliesAsync(cancellationToken).ConfigureAwait(false);
            if (families.Count > 0 && !dryRun)
            {
                await nft.CleanupAsync(cancellationToken).ConfigureAwait(false);
            }

            items.AddRange(families.Select(f => $"delete nftables table {f} {NftRenderer.TableName}"));
        }

        if (capabilities.IptablesUsable)
        {
            var chains = new List<string>();
            chains.AddRange(await OwnedChainsAsync(runner, target, capabilities.Iptables.Save, "iptables", cancellationToken).ConfigureAwait(false));
            if (capabilities.Ip6tables)
            {
                chains.AddRange(await OwnedChainsAsync(runner, target, capabilities.Iptables.Save6, "ip6tables", cancellationToken).ConfigureAwait(false));
            }

            if (chains.Count > 0 && !dryRun)
            {
                await new IptablesBackend(target, capabilities, runner, loggers?.CreateLogger<IptablesBackend>()).CleanupAsync(cancellationToken).ConfigureAwait(false);
            }

            items.AddRange(chains.Select(c => $"delete chain {c} (and our jumps to it)"));
        }
        return items;
    }

    private static async Task<IReadOnlyList<string>> OwnedChainsAsync(ICommandRunner runner, NetfilterTarget target, string save, string label, CancellationToken cancellationToken)
    {
        var result = await target.RunAsync(runner, save, [], null, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? IptablesOwnership.OwnedChains(result.StandardOutput, label) : [];
    }
}
