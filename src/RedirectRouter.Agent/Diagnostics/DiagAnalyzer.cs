using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// The verdict: facts in, ranked causes out. Pure (no I/O), so every rule is unit-tested on hand-made facts.
/// A cause that explains others is ranked first (<see cref="CauseCodes.Ranked"/>); checks that depend on
/// an object that is missing are skipped for it (no "egress IP missing" for a macvlan that does not exist).
/// </summary>
public static class DiagAnalyzer
{
    private const int ShownLines = 3;

    /// <summary>The causes, most fundamental first; empty when the router is healthy.</summary>
    public static IReadOnlyList<DiagCause> Analyze(DiagFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var causes = new List<DiagCause>();
        var interfaces = facts.Interfaces.GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        if (facts.Desired.Homes.Count == 0)
        {
            causes.Add(new DiagCause(CauseCodes.NoMacvlan, CauseSeverity.Error, "macvlan",
                "no macvlan: the namespace has no egress interface (no macvlan, none made by redirect-router)",
                "check that this is the egress router's namespace; run `redirect-router init` (or restart the router pod) and read its log"));
        }

        foreach (var home in facts.Desired.Homes)
        {
            interfaces.TryGetValue(home.Interface, out var link);
            CheckHome(facts, home, link, causes);
        }

        CheckForwarding(facts, causes);
        CheckNetfilter(facts, causes);
        if (facts.NetworkDrift is { Count: > 0 } drift)
        {
            causes.Add(new DiagCause(CauseCodes.NetworkDrift, CauseSeverity.Error, "network",
                $"routes, rules or addresses differ from the desired state: {Lines(drift)}",
                "run `redirect-router init` again (it repairs only what differs), or check who else changes this namespace"));
        }

        CheckReversePath(facts, causes);
        CheckAgent(facts, causes);
        CheckTraffic(facts, causes);

        return causes
            .DistinctBy(c => (c.Code, c.Subject))
            .OrderBy(c => c.Severity)
            .ThenBy(c => CauseCodes.RankOf(c.Code))
            .ThenBy(c => c.Subject, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The exit code for a verdict: 0 healthy, 1 degraded.</summary>
    public static int ExitCodeOf(IReadOnlyList<DiagCause> causes) => causes.Count == 0 ? 0 : 1;

    private static void CheckHome(DiagFacts facts, DesiredHome home, InterfaceFact? link, List<DiagCause> causes)
    {
        var parent = link?.Parent;
        var parentName = parent?.Name ?? home.Parent ?? "the parent NIC";
        if (parent is { Found: false })
        {
            causes.Add(new DiagCause(CauseCodes.ParentMissing, CauseSeverity.Error, parentName,
                $"macvlan parent missing: {parentName} does not exist in the node's namespace, so {home.Interface} cannot exist",
                $"check the node's NICs (`ip link` on the node) and the configured parent of home {home.Name}"));
        }

        var parentDown = parent is { Found: true } && (parent.AdminUp == false || parent.Carrier == false || IsDownState(parent.OperState));
        if (parentDown)
        {
            var why = parent!.AdminUp == false ? "administratively down" : parent.Carrier == false ? "without carrier" : $"in state {parent.OperState}";
            causes.Add(new DiagCause(CauseCodes.ParentDown, CauseSeverity.Error, parentName,
                $"macvlan parent down: {parentName} (parent of {home.Interface}) is {why}",
                $"on the node: `ip link set {Q(parentName)} up`, then check its cable or switch port"));
        }

        // A macvlan takes its carrier from its parent: up but without carrier (or LOWERLAYERDOWN), the parent is down,
        // even when the parent's namespace could not be inspected.
        if (!parentDown && link is { Present: true } && (link.OperState == "lowerlayerdown" || (link.AdminUp == true && link.Carrier == false))
            && parent is not { Found: true })
        {
            parentDown = true;
            causes.Add(new DiagCause(CauseCodes.ParentDown, CauseSeverity.Error, parentName,
                $"macvlan parent down: {home.Interface} reports {(link.OperState == "lowerlayerdown" ? "LOWERLAYERDOWN" : "no carrier")}, so its parent NIC is down (the parent's namespace was not inspected: pass --host-netns)",
                "on the node: `ip link` to find the parent, bring it up, then check its cable or switch port"));
        }

        if (link is null || !link.Present)
        {
            if (parent is { Found: false })
            {
                return; // explained by the missing parent
            }

            causes.Add(new DiagCause(CauseCodes.NoMacvlan, CauseSeverity.Error, home.Interface,
                $"no macvlan: {home.Interface} (home {home.Name}) does not exist in the router's namespace",
                "run `redirect-router init` again (or restart the router pod) and read its log; with `run` the agent re-creates it"));
            return;
        }

        if (!parentDown && (link.AdminUp == false || link.Carrier == false || IsDownState(link.OperState)))
        {
            var why = link.AdminUp == false ? "administratively down" : $"in state {link.OperState ?? "down"} (no carrier)";
            causes.Add(new DiagCause(CauseCodes.MacvlanDown, CauseSeverity.Error, home.Interface,
                $"the macvlan {home.Interface} is {why}",
                $"`ip link set {Q(home.Interface)} up` in the router's namespace (the agent's `run` does it)"));
        }

        var present = facts.Addresses.Where(a => a.Present && a.Interface == home.Interface).Select(a => new Core.Model.InterfaceAddress(a.Address, a.PrefixLength)).ToHashSet();
        var missing = facts.Desired.FromConfig
            ? home.Addresses.Where(a => !present.Contains(a)).Select(a => a.ToString()).ToList()
            : (present.Count == 0 ? ["(any)"] : []);
        foreach (var address in missing)
        {
            causes.Add(new DiagCause(CauseCodes.EgressIpMissing, CauseSeverity.Error, address,
                address == "(any)"
                    ? $"egress IP missing: {home.Interface} has no global address"
                    : $"egress IP missing: {address} is not on {home.Interface}",
                "run `redirect-router init` again (it probes for another holder first) and check the agent's log for a refused (duplicate) address"));
        }

        foreach (var probe in facts.DuplicateProbes.Where(p => p.Interface == home.Interface && p.OtherHostMac is not null))
        {
            causes.Add(new DiagCause(CauseCodes.DuplicateEgressIp, CauseSeverity.Error, probe.Address.ToString(),
                $"duplicate egress IP suspected: another host (MAC {probe.OtherHostMac}) answers for {probe.Address} on the segment of {home.Interface}",
                $"find the host with MAC {probe.OtherHostMac} (switch MAC table, the gateway's ARP cache) and remove the address there, or give the router another egress IP"));
        }

        foreach (var gateway in facts.Gateways.Where(g => g.Interface == home.Interface))
        {
            var failed = gateway.Probe is { Answered: false }
                || (gateway.Probe is null && gateway.Neighbour is "failed" or "incomplete");
            if (failed)
            {
                var how = gateway.Probe is { Answered: false }
                    ? $"did not answer an ARP request from {home.Interface}"
                    : $"has a {gateway.Neighbour} neighbour entry on {home.Interface} (it did not answer ARP/NDP)";
                causes.Add(new DiagCause(CauseCodes.GatewayUnreachable, CauseSeverity.Error, gateway.Address.ToString(),
                    $"gateway unreachable: {gateway.Address} {how}",
                    $"check that {gateway.Address} is the right gateway and is up on the parent's segment/VLAN; `redirect-router diag --probe` re-checks"));
            }
        }

        CheckDefaultRoutes(facts, home, causes);
        CheckMtu(facts, home, link, causes);
    }

    private static void CheckDefaultRoutes(DiagFacts facts, DesiredHome home, List<DiagCause> causes)
    {
        foreach (var gateway in home.Gateways)
        {
            var v6 = gateway.AddressFamily == AddressFamily.InterNetworkV6;
            var defaultPrefix = v6 ? "::/0" : "0.0.0.0/0";
            var defaults = facts.Routes.Where(r => r.Table == home.Table && r.Destination.PrefixLength == 0 && r.Destination.BaseAddress.AddressFamily == gateway.AddressFamily).ToList();
            var table = RouteFact.TableName(home.Table);
            if (defaults.Any(r => r.Device == home.Interface && r.Gateways.Contains(gateway)))
            {
                continue;
            }

            var actual = defaults.Count == 0
                ? "there is none"
                : "it is " + string.Join("; ", defaults.Select(r => $"via {(r.Gateways.Count == 0 ? "(direct)" : string.Join(',', r.Gateways))} dev {r.Device ?? "?"}"));
            causes.Add(new DiagCause(CauseCodes.DefaultRouteWrong, CauseSeverity.Error, $"{table} {defaultPrefix}",
                $"default route not via the gateway: table {table} should route {defaultPrefix} via {gateway} dev {home.Interface}, but {actual}",
                $"`ip route replace {defaultPrefix} via {gateway} dev {Q(home.Interface)}{(home.Table == RouteFact.MainTable ? "" : $" table {home.Table}")}` in the router's namespace, or run `redirect-router init` again; find who changed it"));
        }
    }

    private static void CheckMtu(DiagFacts facts, DesiredHome home, InterfaceFact link, List<DiagCause> causes)
    {
        if (link.Mtu is not { } mtu)
        {
            return;
        }

        if (home.Mtu is { } wanted)
        {
            if (mtu != wanted)
            {
                causes.Add(new DiagCause(CauseCodes.MtuMismatch, CauseSeverity.Warning, home.Interface,
                    $"MTU mismatch: {home.Interface} has MTU {mtu}, the configuration says {wanted}",
                    $"`ip link set {Q(home.Interface)} mtu {wanted}` in the router's namespace, or run `redirect-router init` again"));
            }

            return;
        }

        string? than = null;
        if (link.Parent is { Mtu: { } parentMtu } parent && mtu < parentMtu)
        {
            than = $"its parent {parent.Name}'s {parentMtu}";
        }
        else if (facts.ClusterInterface is { Mtu: { } clusterMtu } cluster && mtu < clusterMtu)
        {
            than = $"the cluster interface {cluster.Name}'s {clusterMtu}";
        }

        if (than is not null)
        {
            causes.Add(new DiagCause(CauseCodes.MtuMismatch, CauseSeverity.Warning, home.Interface,
                $"MTU smaller than the path: {home.Interface} has MTU {mtu}, smaller than {than}; larger packets from clients are fragmented or dropped",
                $"set the home's `mtu` in the configuration to the path MTU, or `ip link set {Q(home.Interface)} mtu N` to match"));
        }
    }

    private static void CheckForwarding(DiagFacts facts, List<DiagCause> causes)
    {
        var addresses = facts.Desired.Homes.SelectMany(h => h.Addresses).ToList();
        var v4 = addresses.Count == 0 || addresses.Any(a => a.Family != AddressFamily.InterNetworkV6);
        var v6 = addresses.Any(a => a.Family == AddressFamily.InterNetworkV6);
        if (v4 && facts.Sysctls.Ipv4Forwarding == 0)
        {
            causes.Add(new DiagCause(CauseCodes.ForwardingOff, CauseSeverity.Error, "net.ipv4.ip_forward",
                "IP forwarding off: net.ipv4.ip_forward is 0 in the router's namespace, so nothing is forwarded",
                "`sysctl -w net.ipv4.ip_forward=1` in the router's namespace (the agent sets it at setup); find what reset it"));
        }

        if (v6 && facts.Sysctls.Ipv6Forwarding == 0)
        {
            causes.Add(new DiagCause(CauseCodes.ForwardingOff, CauseSeverity.Error, "net.ipv6.conf.all.forwarding",
                "IP forwarding off: net.ipv6.conf.all.forwarding is 0 in the router's namespace, so no IPv6 traffic is forwarded",
                "`sysctl -w net.ipv6.conf.all.forwarding=1` in the router's namespace (the agent sets it at setup)"));
        }
    }

    private static void CheckNetfilter(DiagFacts facts, List<DiagCause> causes)
    {
        var nf = facts.Netfilter;
        if (nf.RulesPresent == false)
        {
            causes.Add(new DiagCause(CauseCodes.NatRulesMissing, CauseSeverity.Error, nf.Backend ?? "netfilter",
                $"NAT rules missing: no redirect-router {(nf.Backend == "iptables" ? "RR-* chains" : "nftables table (nor RR-* iptables chains)")} in the router's namespace",
                "run `redirect-router init` again (it installs the rules in one transaction); find what flushed the ruleset"));
        }
        else if (nf.Drift is { } drift && (drift.Missing.Count > 0 || drift.Extra.Count > 0))
        {
            var parts = new List<string>();
            if (drift.Missing.Count > 0)
            {
                parts.Add($"{drift.Missing.Count} missing ({Lines(drift.Missing)})");
            }

            if (drift.Extra.Count > 0)
            {
                parts.Add($"{drift.Extra.Count} unexpected ({Lines(drift.Extra)})");
            }

            causes.Add(new DiagCause(CauseCodes.NatRulesMissing, CauseSeverity.Error, nf.Backend ?? "netfilter",
                $"NAT rules differ from the desired ruleset: {string.Join("; ", parts)}",
                "run `redirect-router init` again (it replaces only our table or chains); check the configuration is the one the agent runs with"));
        }

        if (nf.Drift is { Shadowing.Count: > 0 } shadowed)
        {
            causes.Add(new DiagCause(CauseCodes.NatRulesShadowed, CauseSeverity.Error, shadowed.Shadowing[0],
                $"NAT rules shadowed by a foreign rule that takes the traffic first: {Lines(shadowed.Shadowing)}",
                "remove or narrow that rule (`nft list ruleset` / `iptables-save` in the router's namespace); it is not ours, so the agent leaves it"));
        }
    }

    private static void CheckReversePath(DiagFacts facts, List<DiagCause> causes)
    {
        var strict = facts.Sysctls.RpFilter.Where(r => r.Value == 1).Select(r => r.Interface).ToHashSet(StringComparer.Ordinal);
        if (strict.Count == 0)
        {
            return;
        }

        foreach (var destination in facts.Desired.Destinations.Where(d => strict.Contains(d.Interface)))
        {
            var reverse = LongestMatch(facts.Routes.Where(r => r.Table == RouteFact.MainTable), destination.Address);
            if (reverse?.Device is { } device && device != destination.Interface)
            {
                causes.Add(new DiagCause(CauseCodes.ReversePathFilter, CauseSeverity.Error, $"{destination.Interface} {destination.Address}",
                    $"reverse-path filter dropping: rp_filter is strict (1) on {destination.Interface}, and replies from {destination.Address} arrive there while the main table routes {destination.Address} via {device}",
                    $"`sysctl -w {Q($"net.ipv4.conf.{destination.Interface}.rp_filter=2")}` (loose) and net.ipv4.conf.all.rp_filter=0 or 2 in the router's namespace"));
            }
        }

        if (facts.Desired.Destinations.Count == 0 && facts.Desired.Homes.Count > 1)
        {
            foreach (var home in facts.Desired.Homes.Where(h => strict.Contains(h.Interface)))
            {
                causes.Add(new DiagCause(CauseCodes.ReversePathFilter, CauseSeverity.Warning, home.Interface,
                    $"reverse-path filter risk: rp_filter is strict (1) on {home.Interface} of a router with {facts.Desired.Homes.Count} homes; replies that arrive on a home other than the main table's route are dropped",
                    $"`sysctl -w {Q($"net.ipv4.conf.{home.Interface}.rp_filter=2")}` (loose) in the router's namespace; pass --config to check each destination"));
            }
        }
    }

    private static void CheckAgent(DiagFacts facts, List<DiagCause> causes)
    {
        if (facts.Agent is not { } agent)
        {
            return;
        }

        if (!agent.Reachable)
        {
            causes.Add(new DiagCause(CauseCodes.AgentUnreachable, CauseSeverity.Warning, agent.Address,
                $"the agent's endpoint {agent.Address} does not answer ({agent.Error ?? "no answer"})",
                "check that the agent runs (`redirect-router run --metrics ...`) and the address is the one it serves"));
        }
        else if (agent.Ready == false)
        {
            causes.Add(new DiagCause(CauseCodes.AgentNotReady, CauseSeverity.Error, agent.Address,
                "the agent is running but not ready (not set up, or out of sync)",
                "read the agent's log; its /metrics show the repairs it attempts"));
        }
    }

    private static void CheckTraffic(DiagFacts facts, List<DiagCause> causes)
    {
        var nf = facts.Netfilter;
        if (nf.RulesPresent != true || nf.Rules.Count == 0)
        {
            return;
        }

        var entry = nf.Rules.Where(r => r.Location.Contains("dnat", StringComparison.OrdinalIgnoreCase)).ToList();
        if (entry.Count == 0)
        {
            entry = nf.Rules.ToList();
        }

        if (entry.All(r => r.Packets == 0))
        {
            var cluster = facts.Desired.ClusterInterface;
            causes.Add(new DiagCause(CauseCodes.NoTraffic, CauseSeverity.Warning, cluster,
                $"rules present but no packets ever matched: no client traffic has reached the router on {cluster} since the rules were installed",
                "send a request from an application pod to the router pod's IP and mapped port; check the service/pod IP the clients use and any NetworkPolicy in between"));
        }
    }

    private static RouteFact? LongestMatch(IEnumerable<RouteFact> routes, IPAddress address)
    {
        RouteFact? best = null;
        var bestLength = -1;
        foreach (var route in routes)
        {
            var network = route.Destination;
            if (network.BaseAddress.AddressFamily == address.AddressFamily
                && network.Contains(address)
                && network.PrefixLength > bestLength)
            {
                best = route;
                bestLength = network.PrefixLength;
            }
        }

        return best;
    }

    private static bool IsDownState(string? state) => state is "down" or "lowerlayerdown" or "notpresent";

    private static string Lines(IReadOnlyList<string> lines) =>
        string.Join("; ", lines.Take(ShownLines)) + (lines.Count > ShownLines ? $"; and {lines.Count - ShownLines} more" : "");

    // Names in suggested commands come from the kernel (or a pod's config): quoted so that copying the command runs nothing else.
    private static string Q(string? name) => Core.Rendering.TextEscaping.ShellQuote(name ?? "");
}
