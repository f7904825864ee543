using System.Net;
using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Reads a live router, read-only: links, addresses, routes and rules through rtnetlink in the router's
/// namespace (a socket made on a thread inside it), the parent NIC in the node's namespace, sysctls from a
/// thread inside the namespace, the ruleset and conntrack through <c>nsenter --net=PATH</c>, the agent's
/// endpoint through a socket made inside the namespace. A part that cannot be read becomes a note or an
/// error field, never a crash; only a namespace that cannot be opened at all is fatal (<see cref="DiagInspectException"/>).
/// This class opens the namespaces and sequences the readers (one per fact group); the readers gather the notes.
/// </summary>
public sealed class DiagCollector
{
    private readonly ICommandRunner _runner;
    private readonly ILogger<DiagCollector> _logger;

    /// <summary>Creates a collector; <paramref name="runner"/> runs the tools (nft, iptables-save, conntrack).</summary>
    public DiagCollector(ILogger<DiagCollector> logger, ICommandRunner? runner = null)
    {
        _logger = logger;
        _runner = runner ?? CliWrapCommandRunner.Instance;
    }

    /// <summary>Reads everything diag reports.</summary>
    public async Task<DiagFacts> CollectAsync(DiagOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        using var own = NetNamespace.OpenPid(Environment.ProcessId);
        NetNamespace target;
        try
        {
            target = options.TargetPath is { } path ? NetNamespace.OpenPath(path) : NetNamespace.OpenPid(Environment.ProcessId);
        }
        catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException)
        {
            throw new DiagInspectException($"cannot open the network namespace {options.TargetPath}: {e.Message}", e);
        }

        using var _ = target;
        var targetIsOwn = target.Id == own.Id;
        NetlinkHandle handle;
        try
        {
            handle = targetIsOwn ? NetlinkHandle.Open() : NetlinkHandle.OpenIn(target);
        }
        catch (NetlinkException e)
        {
            throw new DiagInspectException($"cannot open rtnetlink in {target.Path}: {e.Message} (diag needs root or CAP_SYS_ADMIN to enter another namespace)", e);
        }

        using var __ = handle;
        var (hostPath, hostSource) = options.HostNetns is { } h ? (h, "option")
            : options.Config?.Settings.HostNetns is { } c ? (c, "config")
            : !targetIsOwn ? (own.Path, "diag-namespace")
            : ((string?)null, "unknown");
        NetNamespace? host = null;
        NetlinkHandle? hostHandle = null;
        if (hostPath is not null)
        {
            try
            {
                host = NetNamespace.OpenPath(hostPath);
                hostHandle = host.Id == target.Id ? null : host.Id == own.Id ? NetlinkHandle.Open() : NetlinkHandle.OpenIn(host);
            }
            catch (Exception e) when (e is NetlinkException or IOException or UnauthorizedAccessException)
            {
                notes.Add($"the node namespace {hostPath} cannot be opened ({e.Message}): the parent NICs are not inspected");
                host?.Dispose();
                host = null;
                hostPath = null;
                hostSource = "unknown";
            }
        }

        try
        {
            var targetPathForTools = targetIsOwn ? null : target.Path;
            var facts = new DiagFacts
            {
                Target = new DiagTarget(target.Path, options.SelectedBy, hostPath, hostSource, options.ConfigSource, options.ConfigPath),
            };
            var desired = options.Config is { } config ? Planner.Plan(config) : null;
            if (desired is null)
            {
                notes.Add("no configuration (--config FILE): the desired state is inferred from what the agent left in the kernel; drift is not checked");
            }

            if (hostSource == "diag-namespace")
            {
                notes.Add("the node namespace is assumed to be the one diag runs in (pass --host-netns PATH to name it)");
            }

            using var parents = new ParentLocator(handle, target, own, host, hostHandle, hostPath is null ? null : $"the node namespace {hostPath}");
            var routerNamespace = targetIsOwn ? null : target;
            var tables = NetworkTables.Dump(handle);
            facts = NetworkReader.Read(facts, tables, parents, options.Config, desired, notes);
            facts = facts with { Sysctls = SysctlReader.Read(routerNamespace, facts) };
            if (options.Probe)
            {
                facts = ActiveProbes.Probe(facts, tables, routerNamespace, options.ProbeWindow, notes, _logger);
            }
            else
            {
                notes.Add("no active checks: pass --probe to ARP the gateways and probe for another holder of each egress IPv4 address");
            }

            var tools = new NetfilterTarget(targetPathForTools);
            facts = facts with { Netfilter = await new NetfilterReader(_runner, _logger).ReadAsync(tools, options, desired, cancellationToken).ConfigureAwait(false) };
            facts = facts with { Conntrack = await new ConntrackReader(_runner).ReadAsync(tools, options.ToolTimeout, cancellationToken).ConfigureAwait(false) };
            if (options.MetricsAddress is { } address)
            {
                facts = facts with { Agent = await AgentEndpointReader.ReadAsync(routerNamespace, address, options.ToolTimeout, cancellationToken).ConfigureAwait(false) };
            }

            return facts with { Notes = notes };
        }
        finally
        {
            hostHandle?.Dispose();
            host?.Dispose();
        }
    }

    /// <summary>Parses HOST:PORT where HOST is an IP address (or <c>localhost</c>); IPv6 in brackets.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint) => AgentEndpointReader.TryParseEndpoint(text, out endpoint);
}
