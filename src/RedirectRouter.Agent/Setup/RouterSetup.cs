using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Setup;

/// <summary>
/// The setup sequence, in order: probe (privileges, tools) -> plan -> refuse the node's own namespace ->
/// forwarding -> links, addresses (with duplicate-address probe), routes, rules, with the NAT and filter
/// rules applied alongside -> first announcement. Every step is idempotent, so a restarted init container
/// converges; a failure names its step.
/// </summary>
public sealed partial class RouterSetup
{
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<RouterSetup> _logger;

    /// <summary>Creates the setup.</summary>
    public RouterSetup(ILoggerFactory loggers)
    {
        _loggers = loggers;
        _logger = loggers.CreateLogger<RouterSetup>();
    }

    /// <summary>Sets the router up for <paramref name="config"/> (already validated) and returns it ready.</summary>
    /// <exception cref="MissingPrerequisiteException">A capability or tool is missing.</exception>
    /// <exception cref="SetupException">A step failed.</exception>
    public async Task<SetupOutcome> RunAsync(RouterConfig config, RouterAgentOptions options, CancellationToken cancellationToken)
    {
        var timings = new List<(string, TimeSpan)>();
        var total = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        void Done(string step)
        {
            timings.Add((step, watch.Elapsed));
            LogStep(_logger, step, watch.Elapsed.TotalMilliseconds);
            watch.Restart();
        }

        var hostNetns = options.HostNetns ?? config.Settings.HostNetns;
        var missing = PrivilegeProbe.Missing(needsHostNamespace: hostNetns is not null);
        if (missing.Count > 0)
        {
            throw new MissingPrerequisiteException($"missing capabilities: {string.Join(", ", missing)}");
        }

        RouterNamespaces namespaces;
        try
        {
            namespaces = RouterNamespaces.Open(ownPath: null, hostNetns);
        }
        catch (NetlinkException e)
        {
            throw new SetupException("probe", $"cannot open the network namespaces: {e.Message}", e);
        }

        try
        {
            LogTools(_logger, CliWrapCommandRunner.Instance.Locator.Describe(), CliWrapCommandRunner.Instance.Timeout.TotalSeconds);
            var capabilities = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, NetfilterTarget.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
            NetfilterBackend chosen;
            try
            {
                chosen = capabilities.Choose(options.Backend ?? config.Settings.Backend);
            }
            catch (NetfilterException e)
            {
                throw new MissingPrerequisiteException(e.Message, e);
            }

            Done("probe");

            var desired = Planner.Plan(options.Effective(config));
            Done("plan");

            RefuseNodeNamespace(namespaces, desired.Network, options.Force);
            ForwardingSysctls.Enable(desired.Network.Addresses.Select(a => a.Address.Family));
            Done("safety checks and forwarding");

            var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default with { DuplicateProbeWindow = options.DuplicateProbeWindow }, _loggers);
            var backend = NetfilterBackends.Create(chosen, capabilities, NetfilterTarget.Current, CliWrapCommandRunner.Instance, _loggers);
            // The ruleset matches interface names and addresses, not live objects, so it is applied (by nft or
            // iptables-restore, another process) while the network steps run, most of which is the wait of the
            // duplicate-address probe. The egress IP is still claimed only after that probe; if the probe refuses
            // it, the rules stay behind without an address to send from, and the next run converges them.
            //
            // The network steps block (netlink round trips, the probe's wait), so they get a thread of their own:
            // with one CPU allowed, the thread pool has one thread, and blocking it would hold the ruleset back.
            var network = Task.Factory.StartNew(() => reconciler.Reconcile(desired.Network), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var netfilter = options.NetworkOnly ? null : ApplyNetfilterAsync(backend, desired.Nat, cancellationToken);
            try
            {
                await network.ConfigureAwait(false);
            }
            catch
            {
                if (netfilter is not null)
                {
                    await ObserveAsync(netfilter).ConfigureAwait(false);
                }
                throw;
            }

            Done("links, addresses, routes and rules");

            if (netfilter is not null)
            {
                var applied = await netfilter.ConfigureAwait(false);
                if (!applied.Result.Drift.IsClean)
                {
                    throw new SetupException("netfilter", $"the {backend.Name} ruleset does not read back as applied: {applied.Result.Drift}");
                }

                // Its own duration; only the part that outlasted the network steps adds to the total.
                var step = $"netfilter ({backend.Name}, alongside the network steps)";
                timings.Add((step, applied.Took));
                LogStep(_logger, step, applied.Took.TotalMilliseconds);
                watch.Restart();
            }

            try
            {
                Announcements.SendAll(namespaces, desired.Network);
            }
            catch (NetlinkException e)
            {
                throw new SetupException("announce", e.Message, e);
            }

            Done("announce");
            return new SetupOutcome(namespaces, reconciler, backend, capabilities, desired, timings, total.Elapsed);
        }
        catch
        {
            namespaces.Dispose();
            throw;
        }
    }

    private static async Task<(ApplyResult Result, TimeSpan Took)> ApplyNetfilterAsync(INetfilterBackend backend, NatModel nat, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await backend.ApplyAsync(nat, cancellationToken).ConfigureAwait(false);
            return (result, clock.Elapsed);
        }
        catch (NetfilterException e)
        {
            throw new SetupException("netfilter", e.Message, e);
        }
    }

    // The network step's failure is the one reported; the ruleset's outcome must still be awaited (the
    // process may exit next) and is logged.
    private async Task ObserveAsync(Task netfilter)
    {
        try
        {
            await netfilter.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogNetfilterAfterFailure(_logger, e.Message);
        }
    }

    /// <summary>
    /// Refuses to configure a namespace that holds a parent NIC (it is the node's own, not a pod's), or whose
    /// identity equals the host namespace given, unless forced.
    /// </summary>
    public static void RefuseNodeNamespace(RouterNamespaces namespaces, NetworkState desired, bool force)
    {
        if (force)
        {
            return;
        }

        if (namespaces.HostIsOwn)
        {
            throw new SetupException("safety", $"the node namespace given ({namespaces.Host!.Path}) is this process's own namespace: the agent must run in the egress router pod's namespace (or pass --force)");
        }

        foreach (var link in desired.Links.Where(l => l.Origin != LinkOrigin.Adopt && l.Parent is not null))
        {
            if (namespaces.OwnHandle.LinkGetByName(link.Parent!) is not null && namespaces.OwnHandle.LinkGetByName(link.Name) is null)
            {
                throw new SetupException("safety", $"this namespace holds the parent NIC {link.Parent}, so it looks like the node's own namespace: run the agent in the egress router pod's namespace (or pass --force)");
            }
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "setup: {Step} done in {Milliseconds:0.0} ms")]
    private static partial void LogStep(ILogger logger, string step, double milliseconds);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "setup: tools {Tools}, each run limited to {Seconds:0.#} s")]
    private static partial void LogTools(ILogger logger, string tools, double seconds);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "setup: the ruleset, applied alongside the failed network steps, did not apply either: {Reason}")]
    private static partial void LogNetfilterAfterFailure(ILogger logger, string reason);
}
