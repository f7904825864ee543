using System.Globalization;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Pure parsers for what diag reads from tools and endpoints: <c>conntrack -L</c> and the Prometheus text format.</summary>
public static class DiagParsers
{
    /// <summary>
    /// Groups <c>conntrack -L</c> lines by real destination: the reply direction's source (after DNAT, that is where
    /// the router sent the traffic) and source port. Lines it does not understand are skipped.
    /// </summary>
    public static ConntrackFact ParseConntrack(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var total = 0;
        var groups = new Dictionary<(string, string, int?), int>();
        foreach (var raw in output.Split('\n'))
        {
            var fields = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3)
            {
                continue;
            }

            var sources = fields.Where(f => f.StartsWith("src=", StringComparison.Ordinal)).Select(f => f[4..]).ToList();
            if (sources.Count < 2)
            {
                continue;
            }

            total++;
            var ports = fields.Where(f => f.StartsWith("sport=", StringComparison.Ordinal)).Select(f => f[6..]).ToList();
            int? port = ports.Count >= 2 && int.TryParse(ports[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
            var key = (fields[0], sources[1], port);
            groups[key] = groups.GetValueOrDefault(key) + 1;
        }

        var destinations = groups
            .OrderByDescending(g => g.Value).ThenBy(g => g.Key.Item2, StringComparer.Ordinal).ThenBy(g => g.Key.Item3)
            .Select(g => new ConntrackDestinationFact(g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Value))
            .ToList();
        return new ConntrackFact { Available = true, Total = total, Destinations = destinations };
    }

    /// <summary>The agent's health from its <c>/metrics</c> body (Prometheus text).</summary>
    public static AgentFact ParseAgentMetrics(string address, string metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        bool? ready = null;
        DateTimeOffset? lastSync = null;
        var repairs = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in metrics.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var series = line[..space];
            if (series == "redirect_router_ready")
            {
                ready = value >= 1;
            }
            else if (series == "redirect_router_last_sync_timestamp_seconds" && value > 0)
            {
                lastSync = DateTimeOffset.FromUnixTimeMilliseconds((long)(value * 1000));
            }
            else if (series.StartsWith("redirect_router_repairs_total{", StringComparison.Ordinal) && Label(series, "kind") is { } kind)
            {
                repairs[kind] = value;
            }
        }

        return new AgentFact(address, true, ready, lastSync, repairs, null);
    }

    private static string? Label(string series, string name)
    {
        var start = series.IndexOf(name + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += name.Length + 2;
        var end = series.IndexOf('"', start);
        return end < 0 ? null : series[start..end];
    }
}
