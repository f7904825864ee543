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
/// The setup sequence, in order: probe (privileges, tools) -> plan -> the convergence step shared with reloads
/// (<see cref="RouterConvergence"/>, also used by reloads and repairs: refuse the node's own namespace, forwarding, links, addresses with the
/// duplicate-address probe, routes and rules, with the NAT and filter rules applied alongside) -> first announcement. Every step is idempotent, so a restarted init container
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

        RouterConvergence? convergence = null;
        try
        {
            LogTools(_logger, CliWrapCommandRunner.Instance.Locator.Describe(), CliWrapCommandRunner.Instance.Timeout.TotalSeconds);
            var capabilities = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, NetfilterTarget.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
            INetfilterBackend backend;
            try
            {
                backend = NetfilterBackends.Create(options.Backend ?? config.Settings.Backend, capabilities, NetfilterTarget.Current, CliWrapCommandRunner.Instance, _loggers);
            }
            catch (NetfilterException e)
            {
                throw new MissingPrerequisiteException(e.Message, e);
            }

            Done("probe");

            var desired = Planner.Plan(options.Effective(config));
            Done("plan");

            var reconciler = new NetworkReconciler(namespaces, NetworkSettings.Default with { DuplicateProbeWindow = options.DuplicateProbeWindow }, _loggers);
            convergence = new RouterConvergence(namespaces, reconciler, _logger);
            var request = new ConvergeRequest(desired) { Force = options.Force, Netfilter = options.NetworkOnly ? null : backend };
            await convergence.ConvergeAsync(request, (name, took) =>
            {
                // The netfilter step ran alongside the network steps: only its own duration is logged, and the
                // clock of the next step starts now.
                var label = name.StartsWith("netfilter", StringComparison.Ordinal) ? $"netfilter ({backend.Name}, alongside the network steps)" : name;
                timings.Add((label, took));
                LogStep(_logger, label, took.TotalMilliseconds);
                watch.Restart();
            }, cancellationToken).ConfigureAwait(false);

            try
            {
                Announcements.SendAll(namespaces, desired.Network);
            }
            catch (KernelException e)
            {
                throw new SetupException("announce", e.Message, e);
            }

            Done("announce");
            return new SetupOutcome(namespaces, convergence, backend, capabilities, desired, timings, total.Elapsed);
        }
        catch
        {
            convergence?.Dispose();
            namespaces.Dispose();
            throw;
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
}
