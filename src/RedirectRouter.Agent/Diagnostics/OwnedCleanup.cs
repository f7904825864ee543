using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Nftables;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// <c>redirect-router cleanup</c>: removes what the agent owns in a namespace, and only that: policy rules in its
/// priority range, routes of its protocol (and so the home tables), macvlans it created (with their
/// addresses), addresses on adopted interfaces, its nftables tables and its iptables <c>RR-*</c> chains (with
/// the jumps to them), whichever backend made them. Idempotent: a second run removes nothing.
/// </summary>
public static partial class OwnedCleanup
{
    /// <summary>Removes everything owned in <paramref name="netnsPath"/> (null: this process's namespace); returns what was removed, in words.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string? netnsPath, ILoggerFactory loggers, CancellationToken cancellationToken, ICommandRunner? runner = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        runner ??= CliWrapCommandRunner.Instance;
        var logger = loggers.CreateLogger(typeof(OwnedCleanup).FullName!);
        var removed = new List<string>();
        using (var namespaces = RouterNamespaces.Open(netnsPath, hostPath: null))
        {
            removed.AddRange(await RouterCleanup.RunAsync(namespaces, backend: null, loggers, cancellationToken).ConfigureAwait(false));
        }

        var target = new NetfilterTarget(netnsPath);
        var capabilities = await NetfilterProbe.ProbeAsync(runner, target, cancellationToken: cancellationToken).ConfigureAwait(false);
        var presence = await NetfilterPresence.ReadAsync(runner, target, capabilities, cancellationToken).ConfigureAwait(false);
        if (presence.Nftables)
        {
            await new NftablesBackend(target, runner, loggers.CreateLogger<NftablesBackend>()).CleanupAsync(cancellationToken).ConfigureAwait(false);
            removed.AddRange(presence.NftTables.Select(f => $"delete nftables table {f} {NftRenderer.TableName}"));
        }

        if (presence.Iptables)
        {
            await new IptablesBackend(target, capabilities, runner, loggers.CreateLogger<IptablesBackend>()).CleanupAsync(cancellationToken).ConfigureAwait(false);
            removed.AddRange(presence.IptablesChains.Select(c => $"delete chain {c} (and the jumps to it)"));
        }

        foreach (var item in removed)
        {
            LogRemoved(logger, item);
        }

        return removed;
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Debug, Message = "cleanup: {Item}")]
    private static partial void LogRemoved(ILogger logger, string item);
}
