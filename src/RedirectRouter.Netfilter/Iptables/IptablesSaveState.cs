using System.Globalization;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>A rule as iptables-save printed it, without its counters, and the counters.</summary>
internal readonly record struct SavedRule(string Text, ulong Packets, ulong Bytes)
{
    /// <summary>The chain it is in ("-A CHAIN ...").</summary>
    public string Chain => Tokens.Of(Text)[1];

    /// <summary>The -j / -g target, if any.</summary>
    public string? Target
    {
        get
        {
            var tokens = Tokens.Of(Text);
            for (var i = 0; i < tokens.Count - 1; i++)
            {
                if (tokens[i] is "-j" or "-g")
                {
                    return tokens[i + 1];
                }
            }
            return null;
        }
    }
}

/// <summary>One table of an iptables-save dump: its chains in order and their rules.</summary>
internal sealed class SavedTable
{
    public List<string> Chains { get; } = [];

    public Dictionary<string, List<SavedRule>> Rules { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<SavedRule> RulesOf(string chain) => Rules.TryGetValue(chain, out var rules) ? rules : [];

    public bool Has(string chain) => Rules.ContainsKey(chain);
}

/// <summary>Parses <c>iptables-save [-c]</c> output (1.4.21 to 1.8.x, legacy and nft print the same form).</summary>
internal sealed class IptablesSaveState
{
    private readonly Dictionary<string, SavedTable> _tables = new(StringComparer.Ordinal);

    public static IptablesSaveState Empty { get; } = new();

    public IReadOnlyDictionary<string, SavedTable> Tables => _tables;

    public SavedTable? Table(string name) => _tables.GetValueOrDefault(name);

    public static IptablesSaveState Parse(string text)
    {
        var state = new IptablesSaveState();
        SavedTable? table = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (line[0] == '*')
            {
                table = new SavedTable();
                state._tables[line[1..].Trim()] = table;
                continue;
            }
            if (table is null || line == "COMMIT")
            {
                continue;
            }
            if (line[0] == ':')
            {
                var name = line[1..].Split(' ', 2)[0];
                table.Chains.Add(name);
                table.Rules.TryAdd(name, []);
                continue;
            }

            ulong packets = 0, bytes = 0;
            if (line[0] == '[')
            {
                // "[12:3456] -A CHAIN ..." (iptables-save -c)
                var close = line.IndexOf(']', StringComparison.Ordinal);
                var parts = line[1..close].Split(':');
                packets = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
                bytes = ulong.Parse(parts[1], CultureInfo.InvariantCulture);
                line = line[(close + 1)..].TrimStart();
            }
            if (!line.StartsWith("-A ", StringComparison.Ordinal))
            {
                continue;
            }
            var rule = new SavedRule(line, packets, bytes);
            if (!table.Rules.TryGetValue(rule.Chain, out var list))
            {
                table.Rules[rule.Chain] = list = [];
                table.Chains.Add(rule.Chain);
            }
            list.Add(rule);
        }
        return state;
    }
}

/// <summary>Splits a rule into words, keeping "quoted words" (comments) whole.</summary>
internal static class Tokens
{
    public static IReadOnlyList<string> Of(string rule)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in rule)
        {
            if (c == '"')
            {
                quoted = !quoted;
                current.Append(c);
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }
}
