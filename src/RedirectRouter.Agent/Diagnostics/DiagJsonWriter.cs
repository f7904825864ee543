using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// Writes a report as JSON, in the stable schema of <c>docs/diag.schema.json</c> (schemaVersion 1): every
/// key is always written (null when not known), keys are never renamed, new keys may be added. Written with
/// <see cref="Utf8JsonWriter"/>, so no reflection (NativeAOT).
/// </summary>
public static class DiagJsonWriter
{
    /// <summary>The schema version written in every document.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The report as one JSON document; <paramref name="indented"/> for people, compact for JSON Lines (--watch).</summary>
    public static string Write(DiagFacts facts, IReadOnlyList<DiagCause> causes, DateTimeOffset time, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(causes);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", SchemaVersion);
            w.WriteString("time", time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            WriteTarget(w, facts.Target);
            WriteVerdict(w, causes);
            WriteStrings(w, "notes", facts.Notes);
            w.WriteStartArray("interfaces");
            foreach (var link in facts.Interfaces)
            {
                WriteInterface(w, link);
            }

            w.WriteEndArray();
            w.WritePropertyName("clusterInterface");
            if (facts.ClusterInterface is { } cluster)
            {
                WriteInterface(w, cluster);
            }
            else
            {
                w.WriteNullValue();
            }

            WriteAddresses(w, facts.Addresses);
            WriteRoutes(w, facts.Routes);
            WriteRules(w, facts.Rules);
            if (facts.NetworkDrift is { } drift)
            {
                WriteStrings(w, "networkDrift", drift);
            }
            else
            {
                w.WriteNull("networkDrift");
            }

            WriteGateways(w, facts.Gateways);
            w.WriteStartArray("duplicateProbes");
            foreach (var probe in facts.DuplicateProbes)
            {
                w.WriteStartObject();
                w.WriteString("address", probe.Address);
                w.WriteString("interface", probe.Interface);
                WriteNullable(w, "otherHostMac", probe.OtherHostMac);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteNetfilter(w, facts.Netfilter);
            WriteConntrack(w, facts.Conntrack);
            WriteSysctls(w, facts.Sysctls);
            WriteAgent(w, facts.Agent);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteTarget(Utf8JsonWriter w, DiagTarget target)
    {
        w.WriteStartObject("target");
        w.WriteString("namespace", target.Namespace);
        w.WriteString("selectedBy", target.SelectedBy);
        WriteNullable(w, "hostNamespace", target.HostNamespace);
        w.WriteString("hostNamespaceSource", target.HostNamespaceSource);
        w.WriteString("config", target.Config);
        WriteNullable(w, "configPath", target.ConfigPath);
        w.WriteEndObject();
    }

    private static void WriteVerdict(Utf8JsonWriter w, IReadOnlyList<DiagCause> causes)
    {
        w.WriteStartObject("verdict");
        w.WriteString("status", causes.Count == 0 ? "healthy" : "degraded");
        w.WriteNumber("exitCode", DiagAnalyzer.ExitCodeOf(causes));
        w.WriteStartArray("causes");
        for (var i = 0; i < causes.Count; i++)
        {
            var cause = causes[i];
            w.WriteStartObject();
            w.WriteNumber("rank", i + 1);
            w.WriteString("code", cause.Code);
            w.WriteString("severity", SeverityWord(cause.Severity));
            w.WriteString("subject", cause.Subject);
            w.WriteString("summary", cause.Summary);
            w.WriteString("nextStep", cause.NextStep);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The severity as written in reports.</summary>
    public static string SeverityWord(CauseSeverity severity) => severity == CauseSeverity.Error ? "error" : "warning";

    private static void WriteInterface(Utf8JsonWriter w, InterfaceFact link)
    {
        w.WriteStartObject();
        w.WriteString("name", link.Name);
        WriteNullable(w, "home", link.Home);
        w.WriteBoolean("present", link.Present);
        WriteNullable(w, "kind", link.Kind);
        w.WriteBoolean("owned", link.Owned);
        WriteNullable(w, "mode", link.Mode);
        WriteNullable(w, "mtu", link.Mtu);
        WriteNullable(w, "mac", link.Mac);
        WriteNullable(w, "adminUp", link.AdminUp);
        WriteNullable(w, "operState", link.OperState);
        WriteNullable(w, "carrier", link.Carrier);
        if (link.Counters is { } c)
        {
            w.WriteStartObject("counters");
            w.WriteNumber("rxPackets", c.RxPackets);
            w.WriteNumber("rxBytes", c.RxBytes);
            w.WriteNumber("txPackets", c.TxPackets);
            w.WriteNumber("txBytes", c.TxBytes);
            w.WriteNumber("rxErrors", c.RxErrors);
            w.WriteNumber("txErrors", c.TxErrors);
            w.WriteNumber("rxDropped", c.RxDropped);
            w.WriteNumber("txDropped", c.TxDropped);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("counters");
        }

        if (link.Parent is { } p)
        {
            w.WriteStartObject("parent");
            WriteNullable(w, "index", p.Index);
            WriteNullable(w, "name", p.Name);
            w.WriteBoolean("namespaceKnown", p.NamespaceKnown);
            WriteNullable(w, "found", p.Found);
            WriteNullable(w, "adminUp", p.AdminUp);
            WriteNullable(w, "operState", p.OperState);
            WriteNullable(w, "carrier", p.Carrier);
            WriteNullable(w, "mtu", p.Mtu);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("parent");
        }

        w.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter w, IReadOnlyList<AddressFact> addresses)
    {
        w.WriteStartArray("addresses");
        foreach (var a in addresses)
        {
            w.WriteStartObject();
            w.WriteString("interface", a.Interface);
            w.WriteString("address", a.Address);
            w.WriteNumber("prefixLength", a.PrefixLength);
            w.WriteBoolean("present", a.Present);
            WriteNullable(w, "matchesDesired", a.Matches);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteRoutes(Utf8JsonWriter w, IReadOnlyList<RouteFact> routes)
    {
        w.WriteStartArray("routes");
        foreach (var r in routes)
        {
            w.WriteStartObject();
            w.WriteNumber("table", r.Table);
            w.WriteString("destination", r.Destination);
            WriteStrings(w, "gateways", r.Gateways);
            WriteNullable(w, "device", r.Device);
            w.WriteNumber("protocol", r.Protocol);
            WriteNullable(w, "preferredSource", r.PreferredSource);
            w.WriteBoolean("owned", r.Owned);
            WriteNullable(w, "matchesDesired", r.Matches);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteRules(Utf8JsonWriter w, IReadOnlyList<RuleFact> rules)
    {
        w.WriteStartArray("rules");
        foreach (var r in rules)
        {
            w.WriteStartObject();
            w.WriteNumber("priority", r.Priority);
            w.WriteString("family", r.Family);
            w.WriteString("text", r.Text);
            w.WriteNumber("table", r.Table);
            w.WriteBoolean("owned", r.Owned);
            WriteNullable(w, "matchesDesired", r.Matches);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteGateways(Utf8JsonWriter w, IReadOnlyList<GatewayFact> gateways)
    {
        w.WriteStartArray("gateways");
        foreach (var g in gateways)
        {
            w.WriteStartObject();
            w.WriteString("address", g.Address);
            w.WriteString("interface", g.Interface);
            w.WriteString("neighbour", g.Neighbour);
            WriteNullable(w, "mac", g.Mac);
            if (g.Probe is { } probe)
            {
                w.WriteStartObject("probe");
                w.WriteBoolean("answered", probe.Answered);
                WriteNullable(w, "mac", probe.Mac);
                w.WriteNumber("milliseconds", Math.Round(probe.Milliseconds, 1));
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("probe");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNetfilter(Utf8JsonWriter w, NetfilterFact nf)
    {
        w.WriteStartObject("netfilter");
        WriteNullable(w, "backend", nf.Backend);
        WriteNullable(w, "rulesPresent", nf.RulesPresent);
        WriteNullable(w, "error", nf.Error);
        w.WriteStartArray("rules");
        foreach (var r in nf.Rules)
        {
            w.WriteStartObject();
            w.WriteString("location", r.Location);
            w.WriteString("rule", r.Rule);
            w.WriteNumber("packets", r.Packets);
            w.WriteNumber("bytes", r.Bytes);
            w.WriteBoolean("neverMatched", r.Packets == 0);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("drops");
        foreach (var d in nf.Drops)
        {
            w.WriteStartObject();
            w.WriteString("direction", d.Direction);
            w.WriteString("family", d.Family);
            w.WriteString("hook", d.Hook);
            w.WriteNumber("packets", d.Packets);
            w.WriteNumber("bytes", d.Bytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (nf.Drift is { } drift)
        {
            w.WriteStartObject("drift");
            WriteStrings(w, "missing", drift.Missing);
            WriteStrings(w, "extra", drift.Extra);
            WriteStrings(w, "shadowing", drift.Shadowing);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("drift");
        }

        w.WriteEndObject();
    }

    private static void WriteConntrack(Utf8JsonWriter w, ConntrackFact ct)
    {
        w.WriteStartObject("conntrack");
        w.WriteBoolean("available", ct.Available);
        WriteNullable(w, "error", ct.Error);
        w.WriteNumber("total", ct.Total);
        w.WriteStartArray("destinations");
        foreach (var d in ct.Destinations)
        {
            w.WriteStartObject();
            w.WriteString("protocol", d.Protocol);
            w.WriteString("destination", d.Destination);
            WriteNullable(w, "port", d.Port);
            w.WriteNumber("entries", d.Entries);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSysctls(Utf8JsonWriter w, SysctlFact s)
    {
        w.WriteStartObject("sysctls");
        WriteNullable(w, "ipv4Forwarding", s.Ipv4Forwarding);
        WriteNullable(w, "ipv6Forwarding", s.Ipv6Forwarding);
        w.WriteStartArray("rpFilter");
        foreach (var r in s.RpFilter)
        {
            w.WriteStartObject();
            w.WriteString("interface", r.Interface);
            w.WriteNumber("value", r.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAgent(Utf8JsonWriter w, AgentFact? agent)
    {
        if (agent is null)
        {
            w.WriteNull("agent");
            return;
        }

        w.WriteStartObject("agent");
        w.WriteString("address", agent.Address);
        w.WriteBoolean("reachable", agent.Reachable);
        WriteNullable(w, "ready", agent.Ready);
        WriteNullable(w, "lastSync", agent.LastSync?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteStartObject("repairs");
        foreach (var (kind, count) in agent.Repairs.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(kind, count);
        }

        w.WriteEndObject();
        WriteNullable(w, "error", agent.Error);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
