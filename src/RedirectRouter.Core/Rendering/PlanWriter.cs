using System.Globalization;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Core.Serialization;

namespace RedirectRouter.Core.Rendering;

/// <summary>Shows a <see cref="DesiredState"/> for <c>plan</c>: iproute2-like text for people, or JSON for tools.</summary>
public static class PlanWriter
{
    /// <summary>The plan as JSON (stable key order; null fields left out).</summary>
    /// <param name="state">The desired state.</param>
    /// <param name="ruleset">The rendered netfilter ruleset, if a renderer is available.</param>
    public static string ToJson(DesiredState state, RenderedRuleset? ruleset = null) => TreeWriter.ToJson(ToTree(state, ruleset));

    /// <summary>The plan as a tree (for JSON).</summary>
    public static OutMap ToTree(DesiredState state, RenderedRuleset? ruleset = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var network = state.Network;
        var nat = state.Nat;
        var root = new OutMap()
            .Add("links", new OutList(network.Links.Select(l => (OutNode)new OutMap()
                .Add("name", l.Name)
                .Add("home", l.Home)
                .Add("origin", l.Origin.ToWord())
                .Add("parent", l.Parent)
                .Add("mode", l.Mode.ToWord())
                .Add("mtu", l.Mtu))))
            .Add("addresses", new OutList(network.Addresses.Select(a => (OutNode)new OutMap()
                .Add("interface", a.Interface)
                .Add("address", a.Address.ToString()))))
            .Add("routes", new OutList(network.Routes.Select(r => (OutNode)new OutMap()
                .Add("table", r.Table)
                .Add("destination", r.Destination.ToString())
                .Add("interface", r.Interface)
                .Add("scope", r.Scope == RouteScope.Link ? "link" : "universe")
                .Add("nextHops", r.NextHops.Count == 0 ? null : new OutList(r.NextHops.Select(h => (OutNode)new OutMap()
                    .Add("gateway", h.Gateway.ToString())
                    .Add("weight", h.Weight))))
                .Add("metric", r.Metric)
                .Add("source", r.PreferredSource?.ToString()))))
            .Add("rules", new OutList(network.Rules.Select(r => (OutNode)new OutMap()
                .Add("priority", r.Priority)
                .Add("family", FamilyWord(r.Family))
                .Add("fwmark", r.FirewallMark)
                .Add("from", r.From?.ToString())
                .Add("table", r.Table))))
            .Add("nat", new OutMap()
                .Add("clusterInterface", nat.ClusterInterface)
                .Add("dnat", new OutList(nat.Dnat.Select(d => (OutNode)new OutMap()
                    .Add("protocol", d.Protocol.ToWord())
                    .Add("localPorts", d.LocalPorts.ToString())
                    .Add("destination", d.Destination.ToString())
                    .Add("targetPorts", d.TargetPorts?.ToString())
                    .Add("home", d.Home))))
                .Add("fallback", new OutList(nat.Fallbacks.Select(f => (OutNode)new OutMap()
                    .Add("family", FamilyWord(f.Family))
                    .Add("destination", f.Destination.ToString())
                    .Add("home", f.Home))))
                .Add("snat", new OutList(nat.Snat.Select(s => (OutNode)new OutMap()
                    .Add("home", s.Home)
                    .Add("interface", s.Interface)
                    .Add("source", s.Source.ToString()))))
                .Add("homes", new OutList(nat.Homes.Select(h => (OutNode)new OutMap()
                    .Add("home", h.Home)
                    .Add("interface", h.Interface)
                    .Add("mark", h.Mark)
                    .Add("table", h.Table)))));
        if (ruleset is not null)
        {
            root.Add("ruleset", new OutMap().Add("backend", ruleset.Backend).Add("text", ruleset.Text));
        }
        return root;
    }

    /// <summary>The plan as text, one iproute2-like line per object.</summary>
    public static string ToText(DesiredState state, RenderedRuleset? ruleset = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var text = new StringBuilder();
        // Names and values are escaped (a home name or a value that bypassed validation cannot forge lines).
        void Line(string line) => text.Append(TextEscaping.Escape(line)).Append('\n');
        var network = state.Network;

        Line("# links");
        foreach (var link in network.Links)
        {
            var how = link.Origin switch
            {
                LinkOrigin.Adopt => "adopt existing",
                LinkOrigin.AdoptOrCreate => $"adopt if present, else create macvlan on {link.Parent ?? "(default-route NIC)"} mode {link.Mode.ToWord()}",
                _ => $"create macvlan on {link.Parent ?? "(default-route NIC)"} mode {link.Mode.ToWord()}",
            };
            Line($"link {link.Name}: {how}{(link.Mtu is { } mtu ? Invariant($" mtu {mtu}") : "")} (home {link.Home})");
        }
        Line("# addresses");
        foreach (var address in network.Addresses)
        {
            Line($"address {address.Address} dev {address.Interface}");
        }
        Line("# routes");
        foreach (var route in network.Routes)
        {
            Line("route " + RouteText(route));
        }
        Line("# rules");
        foreach (var rule in network.Rules)
        {
            var match = rule.FirewallMark is { } mark ? Invariant($"fwmark 0x{mark:x}") : $"from {rule.From}";
            Line(Invariant($"rule {FamilyWord(rule.Family)} priority {rule.Priority} {match} lookup {rule.Table}"));
        }
        Line("# nat");
        var nat = state.Nat;
        foreach (var dnat in nat.Dnat)
        {
            var target = dnat.TargetPorts is { } ports ? $" port {ports}" : "";
            Line($"dnat in {nat.ClusterInterface} {dnat.Protocol.ToWord()} port {dnat.LocalPorts} to {dnat.Destination}{target} via home {dnat.Home}");
        }
        foreach (var fallback in nat.Fallbacks)
        {
            Line($"dnat in {nat.ClusterInterface} {FamilyWord(fallback.Family)} all other traffic to {fallback.Destination} via home {fallback.Home}");
        }
        foreach (var snat in nat.Snat)
        {
            Line($"snat out {snat.Interface} to {snat.Source} (home {snat.Home})");
        }
        foreach (var home in nat.Homes.Where(h => h.Mark is not null))
        {
            Line(Invariant($"mark home {home.Home} 0x{home.Mark:x} table {home.Table}"));
        }
        if (ruleset is not null)
        {
            Line($"# {ruleset.Backend} ruleset");
            text.Append(TextEscaping.Escape(ruleset.Text, keepLayout: true));
            if (!ruleset.Text.EndsWith('\n'))
            {
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>"default via 192.0.2.1 dev macvlan0 src 192.0.2.10 table 100".</summary>
    public static string RouteText(RouteEntry route)
    {
        var text = new StringBuilder(route.Destination.PrefixLength == 0 ? "default" : route.Destination.ToString());
        if (route.Destination.PrefixLength == 0 && route.Family == AddressFamily.InterNetworkV6)
        {
            text.Insert(0, "-6 ");
        }
        if (route.NextHops.Count == 1 && route.NextHops[0].Weight == 1)
        {
            text.Append(" via ").Append(route.NextHops[0].Gateway);
        }
        text.Append(" dev ").Append(route.Interface);
        if (route.NextHops.Count > 1 || route.NextHops is [{ Weight: > 1 }])
        {
            foreach (var hop in route.NextHops)
            {
                text.Append(CultureInfo.InvariantCulture, $" nexthop via {hop.Gateway} weight {hop.Weight}");
            }
        }
        if (route.Scope == RouteScope.Link)
        {
            text.Append(" scope link");
        }
        if (route.PreferredSource is { } source)
        {
            text.Append(" src ").Append(source);
        }
        if (route.Metric is { } metric)
        {
            text.Append(CultureInfo.InvariantCulture, $" metric {metric}");
        }
        text.Append(" table ").Append(new RouteTable(route.Table).ToString());
        return text.ToString();
    }

    private static string FamilyWord(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
