using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;
using NlFamily = RedirectRouter.Netlink.Interop.AddressFamily;
using RouteConstants = RedirectRouter.Netlink.Interop.RouteConstants;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Reads a live router, read-only: links, addresses, routes and rules through rtnetlink in the router's
/// namespace (a socket made on a thread inside it), the parent NIC in the node's namespace, sysctls from a
/// thread inside the namespace, the ruleset and conntrack through <c>nsenter --net=PATH</c>, the agent's
/// endpoint through a socket made inside the namespace. A part that cannot be read becomes a note or an
/// error field, never a crash; only a namespace that cannot be opened at all is fatal (<see cref="DiagInspectException"/>).
/// </summary>
public sealed partial class DiagCollector
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
            facts = ReadNetwork(facts, handle, parents, options.Config, desired, notes);
            facts = facts with { Sysctls = ReadSysctls(targetIsOwn ? null : target, facts) };
            if (options.Probe)
            {
                facts = Probe(facts, handle, targetIsOwn ? null : target, options.ProbeWindow, notes);
            }
            else
            {
                notes.Add("no active checks: pass --probe to ARP the gateways and probe for another holder of each egress IPv4 address");
            }

            var tools = new NetfilterTarget(targetPathForTools);
            facts = facts with { Netfilter = await ReadNetfilterAsync(tools, options, desired, cancellationToken).ConfigureAwait(false) };
            facts = facts with { Conntrack = await ReadConntrackAsync(tools, options.ToolTimeout, cancellationToken).ConfigureAwait(false) };
            if (options.MetricsAddress is { } address)
            {
                facts = facts with { Agent = await ReadAgentAsync(targetIsOwn ? null : target, address, options.ToolTimeout, cancellationToken).ConfigureAwait(false) };
            }

            return facts with { Notes = notes };
        }
        finally
        {
            hostHandle?.Dispose();
            host?.Dispose();
        }
    }

    private static DiagFacts ReadNetwork(DiagFacts facts, NetlinkHandle handle, ParentLocator parents, RouterConfig? config, DesiredState? desired, List<string> notes)
    {
        var links = handle.LinkList();
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        var byName = links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var clusterName = config?.Settings.ClusterInterface ?? AgentSettings.DefaultClusterInterface;

        var allRoutes = handle.RouteList(NlFamily.Inet, table: null).Concat(handle.RouteList(NlFamily.Inet6, table: null))
            .Where(r => r.Table is not RouteConstants.TableLocal and not 0 && r.Type == RouteConstants.TypeUnicast
                && !r.Destination.BaseAddress.IsIPv6LinkLocal && !r.Destination.BaseAddress.IsIPv6Multicast)
            .ToList();

        // Homes: from the configuration, else one per macvlan (or link the agent marked) found in the namespace.
        List<DesiredHome> homes;
        if (config is not null)
        {
            var multi = config.Homes.Count > 1;
            homes = config.Homes.Select((home, i) => new DesiredHome(home.Name, home.InterfaceName, home.Parent,
                home.Addresses.Select(a => a.ToString()).ToList(), home.Gateways.Select(g => g.ToString()).ToList(), home.Mtu,
                multi ? (uint)(Planner.FirstHomeTable + i) : RouteConstants.TableMain)).ToList();
        }
        else
        {
            homes = links.Where(l => l.Kind == "macvlan" || l.Alias == Ownership.LinkAlias).Select(l =>
            {
                var owned = allRoutes.Where(r => r.Protocol == Ownership.RouteProtocol && DeviceOf(r) == l.Index).ToList();
                var gateways = owned.Where(r => r.Gateway is null && r.NextHops.Count == 0 && IsHost(r.Destination)).Select(r => r.Destination.BaseAddress)
                    .Concat(owned.Where(r => r.Destination.PrefixLength == 0).SelectMany(Gateways))
                    .Distinct().Select(a => a.ToString()).ToList();
                var table = owned.Select(r => r.Table).FirstOrDefault(t => t != RouteConstants.TableMain, RouteConstants.TableMain);
                var addresses = handle.AddrList(NlFamily.Unspecified, l.Index).Where(IsGlobal).Select(a => $"{a.Address}/{a.PrefixLength}").ToList();
                return new DesiredHome(l.Name, l.Name, null, addresses, gateways, null, table);
            }).ToList();
        }

        var homeOf = homes.ToDictionary(h => h.Interface, h => h.Name, StringComparer.Ordinal);
        var egressNames = homes.Select(h => h.Interface)
            .Concat(links.Where(l => l.Kind == "macvlan" || l.Alias == Ownership.LinkAlias).Select(l => l.Name))
            .Distinct(StringComparer.Ordinal).ToList();

        var interfaces = new List<InterfaceFact>();
        foreach (var name in egressNames)
        {
            var home = homes.FirstOrDefault(x => x.Interface == name);
            if (!byName.TryGetValue(name, out var link))
            {
                interfaces.Add(new InterfaceFact
                {
                    Name = name,
                    Home = home?.Name,
                    Present = false,
                    Parent = home?.Parent is { } parentName ? parents.LookUpByName(parentName) : null,
                });
                continue;
            }

            interfaces.Add(Describe(link, home?.Name) with { Parent = parents.LookUp(link, notes) });
        }

        var cluster = byName.TryGetValue(clusterName, out var clusterLink) ? Describe(clusterLink, null) : null;

        // Addresses of the egress and cluster interfaces, and the desired ones that are missing.
        var wanted = desired?.Network.Addresses.Select(a => (a.Interface, a.Address.ToString())).ToHashSet();
        var addresses = new List<AddressFact>();
        foreach (var name in egressNames.Append(clusterName))
        {
            if (!byName.TryGetValue(name, out var link))
            {
                continue;
            }

            foreach (var a in handle.AddrList(NlFamily.Unspecified, link.Index).Where(IsGlobal))
            {
                var text = $"{a.Address}/{a.PrefixLength}";
                bool? matches = wanted is null || name == clusterName ? null : wanted.Contains((name, text));
                addresses.Add(new AddressFact(name, a.Address.ToString(), a.PrefixLength, true, matches));
            }
        }

        foreach (var (name, text) in wanted ?? [])
        {
            if (!addresses.Any(a => a.Interface == name && $"{a.Address}/{a.PrefixLength}" == text))
            {
                var parts = text.Split('/');
                addresses.Add(new AddressFact(name, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), false, false));
            }
        }

        // Routes of the main table and the home tables, compared with the desired ones.
        var tables = homes.Select(h => h.Table).Append(RouteConstants.TableMain).ToHashSet();
        var desiredRoutes = desired is null ? null : NetworkObserver.Normalize(desired.Network).Routes;
        var routes = allRoutes.Where(r => tables.Contains(r.Table)).Select(r =>
        {
            var owned = r.Protocol == Ownership.RouteProtocol;
            bool? matches = null;
            if (desiredRoutes is not null && KernelModelMapping.FromKernel(r, names) is { } entry)
            {
                matches = desiredRoutes.Contains(entry) ? true
                    : owned || desiredRoutes.Any(d => d.Key == entry.Key) ? false : null;
            }
            else if (desiredRoutes is not null && owned)
            {
                matches = false;
            }

            return new RouteFact(r.Table, r.Destination.ToString(), Gateways(r).Select(g => g.ToString()).ToList(),
                DeviceOf(r) is { } index ? names.GetValueOrDefault(index) : null, r.Protocol, r.PreferredSource?.ToString(), owned, matches);
        }).ToList();

        var desiredRules = desired?.Network.Rules;
        var dumpedRules = handle.RuleList(NlFamily.Inet).Concat(handle.RuleList(NlFamily.Inet6)).ToList();
        var rulesMarked = Ownership.KernelMarksRules(dumpedRules);
        var rules = dumpedRules.Select(r =>
        {
            var owned = Ownership.IsOwnedRule(r, rulesMarked, desiredRules ?? []);
            bool? matches = desiredRules is null || !owned ? null : desiredRules.Contains(KernelModelMapping.FromKernel(r));
            var text = r.ToString();
            text = r.Priority is not null && text.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0 ? text[(colon + 2)..] : text;
            return new RuleFact(r.Priority ?? 0, r.Family == NlFamily.Inet6 ? "ipv6" : "ipv4", text, r.Table, owned, matches);
        }).ToList();

        IReadOnlyList<string>? drift = null;
        if (desired is not null)
        {
            var (observed, _) = NetworkObserver.Observe(handle, desired.Network);
            drift = StateDiffer.Diff(NetworkObserver.Normalize(desired.Network), observed).Select(NetworkApplier.Describe).ToList();
        }

        // Gateways and their neighbour entries.
        var gateways = new List<GatewayFact>();
        foreach (var home in homes)
        {
            byName.TryGetValue(home.Interface, out var link);
            var neighbours = link is null ? [] : handle.NeighborList(NlFamily.Unspecified, link.Index);
            foreach (var gateway in home.Gateways)
            {
                var address = IPAddress.Parse(gateway);
                var entry = neighbours.FirstOrDefault(n => n.Address.Equals(address));
                gateways.Add(new GatewayFact(gateway, home.Interface, StateWord(entry?.State ?? NeighborState.None), entry?.LinkLayerAddress, null));
            }
        }

        var destinations = new List<DesiredDestination>();
        if (desired is not null)
        {
            var interfaceOfHome = desired.Nat.Homes.ToDictionary(h => h.Home, h => h.Interface, StringComparer.Ordinal);
            destinations.AddRange(desired.Nat.Dnat.Select(d => new DesiredDestination(d.Destination.ToString(), interfaceOfHome[d.Home])));
            destinations.AddRange(desired.Nat.Fallbacks.Select(f => new DesiredDestination(f.Destination.ToString(), interfaceOfHome[f.Home])));
        }

        return facts with
        {
            Interfaces = interfaces,
            ClusterInterface = cluster,
            Addresses = addresses,
            Routes = routes,
            Rules = rules,
            NetworkDrift = drift,
            Gateways = gateways,
            Desired = new DesiredFact
            {
                FromConfig = config is not null,
                Homes = homes,
                Destinations = destinations.DistinctBy(d => (d.Address, d.Interface)).ToList(),
                ClusterInterface = clusterName,
            },
        };
    }

    private static InterfaceFact Describe(Link link, string? home) => new()
    {
        Name = link.Name,
        Home = home,
        Kind = link.Kind,
        Owned = link.Alias == Ownership.LinkAlias,
        Mode = link.MacvlanMode?.ToString().ToLowerInvariant(),
        Mtu = link.Mtu,
        Mac = link.MacAddress,
        AdminUp = link.IsUp,
        OperState = link.OperationalState.ToString().ToLowerInvariant(),
        Carrier = link.Carrier,
        Counters = link.Statistics is { } s
            ? new CountersFact(s.RxPackets, s.RxBytes, s.TxPackets, s.TxBytes, s.RxErrors, s.TxErrors, s.RxDropped, s.TxDropped)
            : null,
    };

    private static SysctlFact ReadSysctls(NetNamespace? ns, DiagFacts facts)
    {
        var interfaces = facts.Interfaces.Where(i => i.Present).Select(i => i.Name)
            .Concat(facts.ClusterInterface is { } c ? [c.Name] : [])
            .Distinct(StringComparer.Ordinal).ToList();
        SysctlFact Read()
        {
            var all = ReadInt("/proc/sys/net/ipv4/conf/all/rp_filter") ?? 0;
            var rp = interfaces
                .Select(i => ReadInt($"/proc/sys/net/ipv4/conf/{i}/rp_filter") is { } v ? new RpFilterFact(i, Math.Max(all, v)) : null)
                .OfType<RpFilterFact>().ToList();
            return new SysctlFact
            {
                Ipv4Forwarding = ReadInt("/proc/sys/net/ipv4/ip_forward"),
                Ipv6Forwarding = ReadInt("/proc/sys/net/ipv6/conf/all/forwarding"),
                RpFilter = rp,
            };
        }

        // /proc/sys/net shows the namespace of the thread that reads it.
        return ns is null ? Read() : ns.Run(Read);
    }

    private static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private DiagFacts Probe(DiagFacts facts, NetlinkHandle handle, NetNamespace? ns, TimeSpan window, List<string> notes)
    {
        var links = handle.LinkList().ToDictionary(l => l.Name, StringComparer.Ordinal);
        PhysicalAddress? MacOf(Link link) => link.MacAddress is { } m ? PhysicalAddress.Parse(m.Replace(':', '-').ToUpperInvariant()) : null;

        var gateways = facts.Gateways.Select(g =>
        {
            if (!links.TryGetValue(g.Interface, out var link) || !link.IsUp || MacOf(link) is not { } mac
                || !IPAddress.TryParse(g.Address, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            {
                return g;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                // An ARP probe (sender 0.0.0.0) gets an answer from the gateway without touching its ARP cache.
                var answer = DuplicateAddressProbe.Probe(ns, link.Index, mac, address, window);
                return g with { Probe = new ProbeFact(answer is not null, answer is null ? null : AddressConflict.FormatMac(answer.OtherHost), watch.Elapsed.TotalMilliseconds) };
            }
            catch (Exception e) when (e is NetlinkException or IOException or SocketException)
            {
                LogStepFailed(_logger, "gateway probe", e.Message);
                notes.Add($"the probe of gateway {g.Address} failed: {e.Message}");
                return g;
            }
        }).ToList();

        var duplicates = new List<DuplicateProbeFact>();
        foreach (var address in facts.Addresses.Where(a => a.Present && facts.Interfaces.Any(i => i.Name == a.Interface)))
        {
            if (!links.TryGetValue(address.Interface, out var link) || !link.IsUp || MacOf(link) is not { } mac
                || !IPAddress.TryParse(address.Address, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
            {
                continue;
            }

            try
            {
                var conflict = DuplicateAddressProbe.Probe(ns, link.Index, mac, ip, window);
                duplicates.Add(new DuplicateProbeFact(address.Address, address.Interface, conflict is null ? null : AddressConflict.FormatMac(conflict.OtherHost)));
            }
            catch (Exception e) when (e is NetlinkException or IOException or SocketException)
            {
                LogStepFailed(_logger, "duplicate address probe", e.Message);
                notes.Add($"the duplicate address probe of {address.Address} failed: {e.Message}");
            }
        }

        if (facts.Gateways.Any(g => g.Address.Contains(':', StringComparison.Ordinal)))
        {
            notes.Add("IPv6 gateways are judged by their neighbour entry only (no active NDP check)");
        }

        return facts with { Gateways = gateways, DuplicateProbes = duplicates };
    }

    private async Task<NetfilterFact> ReadNetfilterAsync(NetfilterTarget tools, DiagOptions options, DesiredState? desired, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ToolTimeout * 3);
            var token = timeout.Token;
            // One listing per tool: presence, counters and the comparison all come from it.
            var inspection = await NetfilterInspector.ReadAsync(_runner, tools, options.Config?.Settings.Backend ?? NetfilterBackend.Auto, cancellationToken: token).ConfigureAwait(false);
            if (inspection.BackendName is not { } backendName)
            {
                return new NetfilterFact { Error = "neither nft nor iptables is installed" };
            }

            var presence = inspection.Presence;
            var counters = presence.Any ? inspection.Counters : [];
            NetfilterDriftFact? drift = null;
            if (desired is not null)
            {
                var report = inspection.Verify(desired.Nat)!;
                // The agent exempts its own endpoint port (given on its command line, so unknown to the file)
                // from redirection: such rules are the agent's, not drift. Compare again with them expected.
                var exempt = report.Extra.Select(ExemptPort).OfType<int>().ToArray();
                if (exempt.Length > 0)
                {
                    report = inspection.Verify(desired.Nat with { LocalTcpPorts = desired.Nat.LocalTcpPorts.Concat(exempt).Distinct().ToValueList() })!;
                }

                drift = new NetfilterDriftFact(report.Missing, report.Extra, report.Shadowing);
            }

            return new NetfilterFact
            {
                Backend = backendName,
                RulesPresent = presence.Any,
                Rules = counters.Select(c => new RuleCounterFact(c.Location, c.Rule, c.Packets, c.Bytes)).ToList(),
                Drops = presence.Any ? FilterDrops.Of(counters).Select(d => new DropCountFact(d.Direction, d.Family, d.Hook, d.Packets, d.Bytes)).ToList() : [],
                Drift = drift,
            };
        }
        catch (Exception e) when (e is NetfilterException or OperationCanceledException or IOException or System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException)
        {
            LogStepFailed(_logger, "netfilter", e.Message);
            return new NetfilterFact { Error = e is OperationCanceledException ? "the netfilter tools did not answer in time" : e.Message };
        }
    }

    private async Task<ConntrackFact> ReadConntrackAsync(NetfilterTarget tools, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            var result = await tools.RunAsync(_runner, "conntrack", ["-L"], null, timeout.Token).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return new ConntrackFact { Error = $"conntrack -L failed: {result.StandardError.Trim()}" };
            }

            return DiagParsers.ParseConntrack(result.StandardOutput);
        }
        catch (ToolNotFoundException e) when (e.Tool != "conntrack")
        {
            return new ConntrackFact { Error = $"conntrack cannot run: {e.Message}" };
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException or FileNotFoundException)
        {
            return new ConntrackFact { Error = "the conntrack tool is not installed (conntrack-tools)" };
        }
        catch (OperationCanceledException)
        {
            return new ConntrackFact { Error = "conntrack -L did not finish in time" };
        }
        catch (NetfilterException e)
        {
            // Killed at its deadline, or more output than is read.
            return new ConntrackFact { Error = e.Message };
        }
    }

    private async Task<AgentFact> ReadAgentAsync(NetNamespace? ns, string address, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!TryParseEndpoint(address, out var endpoint))
        {
            return new AgentFact(address, false, null, null, new Dictionary<string, double>(), "not HOST:PORT with an IP address");
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                // A socket belongs to the namespace it was made in: make it on a thread inside the router's.
                var socket = ns is null
                    ? new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                    : ns.Run(() => new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = limit };
        try
        {
            var authority = endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();
            using var response = await client.GetAsync(new Uri($"http://{authority}/metrics"), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? DiagParsers.ParseAgentMetrics(address, body)
                : new AgentFact(address, false, null, null, new Dictionary<string, double>(), $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException)
        {
            return new AgentFact(address, false, null, null, new Dictionary<string, double>(), e is TaskCanceledException ? "timed out" : e.Message);
        }
    }

    /// <summary>Parses HOST:PORT where HOST is an IP address (or <c>localhost</c>); IPv6 in brackets.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        host = host is "localhost" or "" or "0.0.0.0" or "*" ? "127.0.0.1" : host == "::" ? "::1" : host;
        if (!IPAddress.TryParse(host, out var ip))
        {
            return false;
        }

        endpoint = new IPEndPoint(ip, port);
        return true;
    }

    private static int? DeviceOf(Route route) => route.OutputInterface ?? (route.NextHops.Count > 0 ? route.NextHops[0].InterfaceIndex : null);

    private static IEnumerable<IPAddress> Gateways(Route route) =>
        route.Gateway is { } g ? [g] : route.NextHops.Select(h => h.Gateway).OfType<IPAddress>();

    private static bool IsHost(IPNetwork network) =>
        network.PrefixLength == (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);

    private static bool IsGlobal(RedirectRouter.Netlink.Model.InterfaceAddress address) =>
        !address.Address.IsIPv6LinkLocal && !IPAddress.IsLoopback(address.Address) && address.Scope == 0;

    private static string StateWord(NeighborState state) =>
        state.HasFlag(NeighborState.Reachable) ? "reachable"
        : state.HasFlag(NeighborState.Stale) ? "stale"
        : state.HasFlag(NeighborState.Delay) ? "delay"
        : state.HasFlag(NeighborState.Probe) ? "probe"
        : state.HasFlag(NeighborState.Failed) ? "failed"
        : state.HasFlag(NeighborState.Incomplete) ? "incomplete"
        : state.HasFlag(NeighborState.Permanent) ? "permanent"
        : state.HasFlag(NeighborState.NoArp) ? "noarp"
        : "none";

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "diag: reading {Step} failed: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string step, string reason);

    // "... tcp dport 9100 counter accept" (nftables) or "... -p tcp -m tcp --dport 9100 -j RETURN" (iptables).
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:tcp dport (?<port>\d+) counter accept|-p tcp -m tcp --dport (?<port>\d+) -j RETURN)$")]
    private static partial System.Text.RegularExpressions.Regex ExemptionRule();

    private static int? ExemptPort(string rule) =>
        ExemptionRule().Match(rule) is { Success: true } match ? int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
