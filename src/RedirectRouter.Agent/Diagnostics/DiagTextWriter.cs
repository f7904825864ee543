using System.Globalization;
using System.Text;
using RedirectRouter.Core.Rendering;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// The human report: the verdict first (ranked causes, each with its next step), then the facts in small
/// aligned tables. The same facts as the JSON. Colours (ANSI) only when asked for, i.e. on a terminal. Every
/// name and value is printed through <see cref="TextEscaping.Escape"/>: a kernel name may hold ESC.
/// </summary>
public static class DiagTextWriter
{
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Green = "\u001b[32m";
    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";
    private const string Reset = "\u001b[0m";

    /// <summary>The report as text.</summary>
    public static string Write(DiagFacts facts, IReadOnlyList<DiagCause> causes, DateTimeOffset time, bool color)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(causes);
        var o = new StringBuilder();
        string C(string code, string text) => color ? code + text + Reset : text;
        var t = facts.Target;
        o.Append(C(Bold, "redirect-router diag")).Append("  ").Append(time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        o.Append("namespace ").Append(E(t.Namespace)).Append(" (").Append(E(t.SelectedBy)).Append(")  node namespace ")
            .Append(E(t.HostNamespace is null ? "unknown" : $"{t.HostNamespace} ({t.HostNamespaceSource})"))
            .Append("  desired state ").Append(E(t.ConfigPath is null ? t.Config : $"{t.Config} {t.ConfigPath}")).Append('\n').Append('\n');

        if (causes.Count == 0)
        {
            o.Append(C(Green + Bold, "VERDICT: HEALTHY")).Append(" (no cause found)\n");
        }
        else
        {
            o.Append(C(Red + Bold, "VERDICT: DEGRADED")).Append(CultureInfo.InvariantCulture, $" ({causes.Count} cause{(causes.Count == 1 ? "" : "s")}, most fundamental first)\n");
            for (var i = 0; i < causes.Count; i++)
            {
                var cause = causes[i];
                var severity = DiagReport.SeverityWord(cause.Severity);
                o.Append(CultureInfo.InvariantCulture, $"  {i + 1}. ").Append(C(cause.Severity == CauseSeverity.Error ? Red : Yellow, $"[{severity}] {cause.Code}"))
                    .Append(": ").Append(E(cause.Summary)).Append('\n');
                o.Append("     next: ").Append(E(cause.NextStep)).Append('\n');
            }
        }

        foreach (var note in facts.Notes)
        {
            o.Append(C(Dim, "  note: " + E(note))).Append('\n');
        }

        Section(o, "INTERFACES", C);
        var links = facts.Interfaces.Concat(facts.ClusterInterface is null ? [] : [facts.ClusterInterface]).ToList();
        Table(o, ["name", "home", "kind", "mode", "mtu", "mac", "state", "carrier", "rx pkts/bytes", "tx pkts/bytes", "parent"],
            links.Select(l => new[]
            {
                l.Name + (l.Owned ? "*" : ""), l.Home ?? "-", l.Present ? l.Kind ?? "-" : "MISSING", l.Mode ?? "-", Num(l.Mtu), l.Mac ?? "-",
                l.Present ? $"{(l.AdminUp == false ? "admin-down" : l.OperState ?? "?")}" : "-", Bool(l.Carrier),
                l.Counters is { } c ? $"{c.RxPackets}/{c.RxBytes}" : "-", l.Counters is { } d ? $"{d.TxPackets}/{d.TxBytes}" : "-",
                Parent(l.Parent),
            }));
        o.Append("  (* made by redirect-router)\n");

        Section(o, "ADDRESSES", C);
        Table(o, ["interface", "address", "desired"],
            facts.Addresses.Select(a => new[] { a.Interface, $"{a.Address}/{a.PrefixLength}", a.Present ? Match(a.Matches) : "MISSING" }));

        Section(o, "ROUTES", C);
        Table(o, ["table", "destination", "via", "dev", "proto", "src", "desired"],
            facts.Routes.Select(r => new[]
            {
                RouteFact.TableName(r.Table), r.Destination.ToString(),
                r.Gateways.Count == 0 ? "-" : string.Join(',', r.Gateways), r.Device ?? "-",
                r.Owned ? "245 (ours)" : r.Protocol.ToString(CultureInfo.InvariantCulture), r.PreferredSource?.ToString() ?? "-", Match(r.Matches),
            }));

        Section(o, "POLICY RULES", C);
        Table(o, ["priority", "family", "rule", "owner", "desired"],
            facts.Rules.Select(r => new[] { r.Priority.ToString(CultureInfo.InvariantCulture), r.Family, r.Text, r.Owned ? "ours" : "-", Match(r.Matches) }));
        if (facts.NetworkDrift is { } drift)
        {
            o.Append(drift.Count == 0 ? "  network matches the desired state\n" : "  to reach the desired state:\n");
            foreach (var line in drift)
            {
                o.Append("    ").Append(E(line)).Append('\n');
            }
        }

        Section(o, "GATEWAYS", C);
        Table(o, ["gateway", "dev", "neighbour", "mac", "probe"],
            facts.Gateways.Select(g => new[]
            {
                g.Address.ToString(), g.Interface, g.Neighbour, g.Mac ?? "-",
                g.Probe is null ? "-" : g.Probe.Answered ? $"answered by {g.Probe.Mac} in {g.Probe.Milliseconds:0.0} ms" : $"NO ANSWER in {g.Probe.Milliseconds:0} ms",
            }));
        foreach (var probe in facts.DuplicateProbes)
        {
            o.Append("  egress ").Append(E(probe.Address.ToString())).Append(" on ").Append(E(probe.Interface)).Append(": ")
                .Append(E(probe.OtherHostMac is null ? "no other host answered the ARP probe" : $"ANSWERED BY ANOTHER HOST {probe.OtherHostMac}")).Append('\n');
        }

        var nf = facts.Netfilter;
        Section(o, $"NETFILTER ({E(nf.Backend ?? "no usable tool")})", C);
        if (nf.Error is not null)
        {
            o.Append("  cannot read: ").Append(E(nf.Error)).Append('\n');
        }
        else if (nf.RulesPresent == false)
        {
            o.Append("  no redirect-router rules\n");
        }

        Table(o, ["packets", "bytes", "where", "rule"],
            nf.Rules.Select(r => new[] { r.Packets.ToString(CultureInfo.InvariantCulture), r.Bytes.ToString(CultureInfo.InvariantCulture), r.Location, r.Rule + (r.Packets == 0 ? "  (never matched)" : "") }));
        if (nf.Drops.Count > 0)
        {
            o.Append(CultureInfo.InvariantCulture, $"  {DropsOf(nf, "egress", "forward") + DropsOf(nf, "egress", "input")} packets from the egress side dropped ")
                .Append(CultureInfo.InvariantCulture, $"({DropsOf(nf, "egress", "forward")} to be forwarded, {DropsOf(nf, "egress", "input")} to the router itself); ")
                .Append(CultureInfo.InvariantCulture, $"{DropsOf(nf, "cluster", "forward")} packets from the cluster side dropped (not redirected)\n");
        }
        if (nf.Drift is { } d)
        {
            if (d.Missing.Count + d.Extra.Count + d.Shadowing.Count == 0)
            {
                o.Append("  ruleset matches the desired state\n");
            }

            foreach (var line in d.Missing)
            {
                o.Append("  missing: ").Append(E(line)).Append('\n');
            }

            foreach (var line in d.Extra)
            {
                o.Append("  unexpected: ").Append(E(line)).Append('\n');
            }

            foreach (var line in d.Shadowing)
            {
                o.Append("  shadowed by: ").Append(E(line)).Append('\n');
            }
        }

        Section(o, "CONNTRACK", C);
        if (!facts.Conntrack.Available)
        {
            o.Append("  not read: ").Append(E(facts.Conntrack.Error ?? "unavailable")).Append('\n');
        }
        else
        {
            o.Append(CultureInfo.InvariantCulture, $"  {facts.Conntrack.Total} entries\n");
            Table(o, ["proto", "destination", "port", "entries"],
                facts.Conntrack.Destinations.Select(c => new[] { c.Protocol, c.Destination, Num(c.Port), c.Entries.ToString(CultureInfo.InvariantCulture) }));
        }

        Section(o, "SYSCTLS", C);
        o.Append("  net.ipv4.ip_forward ").Append(Num(facts.Sysctls.Ipv4Forwarding)).Append("  net.ipv6.conf.all.forwarding ").Append(Num(facts.Sysctls.Ipv6Forwarding)).Append('\n');
        if (facts.Sysctls.RpFilter.Count > 0)
        {
            o.Append("  rp_filter (effective): ").Append(E(string.Join("  ", facts.Sysctls.RpFilter.Select(r => $"{r.Interface}={r.Value}")))).Append('\n');
        }

        Section(o, "AGENT", C);
        if (facts.Agent is not { } agent)
        {
            o.Append("  not inspected (pass --metrics HOST:PORT)\n");
        }
        else if (!agent.Reachable)
        {
            o.Append("  ").Append(E(agent.Address)).Append(": no answer (").Append(E(agent.Error ?? "?")).Append(")\n");
        }
        else
        {
            o.Append("  ").Append(E(agent.Address)).Append(": ready ").Append(Bool(agent.Ready))
                .Append("  last sync ").Append(agent.LastSync?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-")
                .Append("  repairs ").Append(E(agent.Repairs.Count == 0 ? "0" : string.Join(", ", agent.Repairs.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"))))
                .Append('\n');
        }

        return o.ToString();
    }

    private static void Section(StringBuilder o, string title, Func<string, string, string> color) =>
        o.Append('\n').Append(color(Bold, title)).Append('\n');

    private static void Table(StringBuilder o, string[] header, IEnumerable<string[]> rows)
    {
        // Escaped before measuring, so the columns line up with what is printed.
        var all = rows.Select(r => r.Select(cell => E(cell)).ToArray()).ToList();
        if (all.Count == 0)
        {
            o.Append("  (none)\n");
            return;
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        void Row(string[] cells)
        {
            o.Append("  ");
            for (var i = 0; i < cells.Length; i++)
            {
                o.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }

            o.Append('\n');
        }

        Row(header);
        foreach (var row in all)
        {
            Row(row);
        }
    }

    private static string E(string? text) => TextEscaping.Escape(text);

    private static string Num(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Bool(bool? value) => value switch { true => "yes", false => "no", null => "-" };

    private static string Match(bool? value) => value switch { true => "ok", false => "DIFFERS", null => "-" };

    private static string Parent(ParentFact? parent) => parent switch
    {
        null => "-",
        { Found: false } => $"{parent.Name ?? $"#{parent.Index}"} MISSING",
        { NamespaceKnown: false } => $"#{parent.Index} (its namespace not inspected: see the notes)",
        _ => $"{parent.Name} ({(parent.AdminUp == false ? "admin-down" : parent.OperState)}, mtu {Num(parent.Mtu)})",
    };

    private static ulong DropsOf(NetfilterFact nf, string direction, string hook) =>
        nf.Drops.Where(d => d.Direction == direction && d.Hook == hook).Aggregate(0UL, (sum, d) => sum + d.Packets);
}
