using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// A report as written by <c>diag --output json</c>, in the stable schema of <c>docs/diag.schema.json</c>
/// (schemaVersion 1): every key is always written (null when not known), keys are never renamed, new keys
/// may be added. Serialized through <see cref="DiagJsonContext"/> (source generated, so no reflection under NativeAOT).
/// </summary>
public sealed record DiagReport(
    int SchemaVersion,
    string Time,
    DiagTarget Target,
    DiagVerdictReport Verdict,
    IReadOnlyList<string> Notes,
    IReadOnlyList<InterfaceFact> Interfaces,
    InterfaceFact? ClusterInterface,
    IReadOnlyList<AddressFact> Addresses,
    IReadOnlyList<RouteFact> Routes,
    IReadOnlyList<RuleFact> Rules,
    IReadOnlyList<string>? NetworkDrift,
    IReadOnlyList<GatewayFact> Gateways,
    IReadOnlyList<DuplicateProbeFact> DuplicateProbes,
    NetfilterFact Netfilter,
    ConntrackFact Conntrack,
    SysctlFact Sysctls,
    DiagAgentReport? Agent)
{
    /// <summary>The schema version written in every document.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The report of <paramref name="facts"/> and their ranked <paramref name="causes"/>.</summary>
    public static DiagReport Of(DiagFacts facts, IReadOnlyList<DiagCause> causes, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(causes);
        var verdict = new DiagVerdictReport(
            causes.Count == 0 ? "healthy" : "degraded",
            DiagAnalyzer.ExitCodeOf(causes),
            causes.Select((c, i) => new DiagCauseReport(i + 1, c.Code, SeverityWord(c.Severity), c.Subject, c.Summary, c.NextStep)).ToList());
        var agent = facts.Agent is { } a
            ? new DiagAgentReport(a.Address, a.Reachable, a.Ready, a.LastSync?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                new SortedDictionary<string, double>(a.Repairs.ToDictionary(), StringComparer.Ordinal), a.Error)
            : null;
        return new DiagReport(CurrentSchemaVersion, time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            facts.Target, verdict, facts.Notes, facts.Interfaces, facts.ClusterInterface, facts.Addresses, facts.Routes, facts.Rules,
            facts.NetworkDrift, facts.Gateways, facts.DuplicateProbes, facts.Netfilter, facts.Conntrack, facts.Sysctls, agent);
    }

    /// <summary>The report as one JSON document; <paramref name="indented"/> for people, compact for JSON Lines (--watch).</summary>
    public static string ToJson(DiagFacts facts, IReadOnlyList<DiagCause> causes, DateTimeOffset time, bool indented = true)
    {
        var report = Of(facts, causes, time);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            JsonSerializer.Serialize(writer, report, DiagJsonContext.Default.DiagReport);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The severity as written in reports.</summary>
    public static string SeverityWord(CauseSeverity severity) => severity == CauseSeverity.Error ? "error" : "warning";
}

/// <summary>The verdict: <c>healthy</c> or <c>degraded</c>, the exit code, and the causes in rank order (1 first).</summary>
public sealed record DiagVerdictReport(string Status, int ExitCode, IReadOnlyList<DiagCauseReport> Causes);

/// <summary>One cause with its rank and severity word.</summary>
public sealed record DiagCauseReport(int Rank, string Code, string Severity, string Subject, string Summary, string NextStep);

/// <summary>The agent's health, with the last sync to the second and the repairs by kind in ordinal order.</summary>
public sealed record DiagAgentReport(string Address, bool Reachable, bool? Ready, string? LastSync, SortedDictionary<string, double> Repairs, string? Error);

/// <summary>Writes milliseconds to one decimal.</summary>
internal sealed class OneDecimalConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(Math.Round(value, 1));
    }
}

/// <summary>Writes an address as text (<c>192.0.2.1</c>, <c>2001:db8::1</c>).</summary>
internal sealed class IPAddressTextConverter : JsonConverter<System.Net.IPAddress>
{
    public override System.Net.IPAddress? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        System.Net.IPAddress.Parse(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, System.Net.IPAddress value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}

/// <summary>Writes a prefix in CIDR notation (<c>0.0.0.0/0</c>).</summary>
internal sealed class IPNetworkTextConverter : JsonConverter<System.Net.IPNetwork>
{
    public override System.Net.IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        System.Net.IPNetwork.Parse(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, System.Net.IPNetwork value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}

/// <summary>The source-generated serializer of <see cref="DiagReport"/>: camelCase keys, nulls always written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(IPAddressTextConverter), typeof(IPNetworkTextConverter)])]
[JsonSerializable(typeof(DiagReport))]
public sealed partial class DiagJsonContext : JsonSerializerContext;
