using System.Net;
using System.Text.Json;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>A chain of any table; Hook is empty for a regular chain.</summary>
internal sealed record NftChainInfo(string Family, string Table, string Name, string Type, string Hook, int Priority);

/// <summary>What one <c>nft -j list ruleset</c> shows: every chain, our tables by family, and the rules of every foreign chain.</summary>
internal sealed record NftLiveRuleset(
    IReadOnlyList<NftChainInfo> Chains,
    IReadOnlyDictionary<string, NftTable> OurTables,
    IReadOnlyDictionary<(string Family, string Table, string Chain), IReadOnlyList<string>> ForeignRules);

/// <summary>
/// Reads <c>nft -j</c> output (JsonDocument only: AOT-safe) into <see cref="NftTable"/>, turning each rule's
/// expressions back into the canonical text the renderer writes. Expressions this reader does not know
/// become <c>&lt;json ...&gt;</c>, which never equals a rendered rule, so a foreign rule always shows as drift.
/// </summary>
internal static class NftJsonReader
{
    /// <summary>
    /// Reads <c>nft -j list ruleset</c>: every chain, our tables, and the rules of foreign base chains. One
    /// listing, because each nft run loads the whole ruleset into its cache anyway (with 10,000 map elements a
    /// bare <c>nft list chains</c> costs as much as listing our table).
    /// </summary>
    public static NftLiveRuleset ReadRuleset(string json, List<RuleCounter>? counters = null)
    {
        using var document = JsonDocument.Parse(json);
        var items = document.RootElement.GetProperty("nftables").EnumerateArray().ToArray();
        var chains = new List<NftChainInfo>();
        var ourFamilies = new List<string>();
        var foreignRules = new Dictionary<(string Family, string Table, string Chain), List<string>>();
        foreach (var item in items)
        {
            if (item.TryGetProperty("table", out var table) && table.ValueKind == JsonValueKind.Object && Str(table, "name") == NftRenderer.TableName)
            {
                ourFamilies.Add(Str(table, "family"));
            }
            else if (item.TryGetProperty("chain", out var chain))
            {
                chains.Add(ChainInfo(chain));
            }
            else if (item.TryGetProperty("rule", out var rule) && Str(rule, "table") != NftRenderer.TableName)
            {
                var key = (Str(rule, "family"), Str(rule, "table"), Str(rule, "chain"));
                if (!foreignRules.TryGetValue(key, out var rules))
                {
                    foreignRules[key] = rules = [];
                }
                rules.Add(RuleText(rule.GetProperty("expr"), key.Item1).Text);
            }
        }
        var tables = ourFamilies.Distinct().ToDictionary(f => f, f => ReadTable(items, f, counters));
        return new NftLiveRuleset(chains, tables, foreignRules.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value));
    }

    private static NftTable ReadTable(IEnumerable<JsonElement> items, string family, List<RuleCounter>? counters)
    {
        var maps = new List<NftMap>();
        var chains = new List<(string Name, string Type, string Hook, int Priority, List<string> Rules)>();
        foreach (var item in items.Where(i => IsOurs(i, family)))
        {
            if (item.TryGetProperty("map", out var map))
            {
                maps.Add(ReadMap(map, family, counters));
            }
            else if (item.TryGetProperty("chain", out var chain))
            {
                chains.Add((Str(chain, "name"), Str(chain, "type"), Str(chain, "hook"),
                    chain.TryGetProperty("prio", out var prio) && prio.ValueKind == JsonValueKind.Number ? prio.GetInt32() : 0, []));
            }
            else if (item.TryGetProperty("rule", out var rule))
            {
                var chainName = Str(rule, "chain");
                var (text, packets, bytes) = RuleText(rule.GetProperty("expr"), family);
                var index = chains.FindIndex(c => c.Name == chainName);
                if (index < 0)
                {
                    chains.Add((chainName, "", "", 0, []));
                    index = chains.Count - 1;
                }
                chains[index].Rules.Add(text);
                if (packets is not null)
                {
                    counters?.Add(new RuleCounter($"{family} {NftRenderer.TableName} chain {chainName}", text, packets.Value, bytes ?? 0));
                }
            }
        }
        return new NftTable(family, maps.ToValueList(), chains.Select(c => new NftChain(c.Name, c.Type, c.Hook, c.Priority, c.Rules.ToValueList())).ToValueList());
    }

    private static NftChainInfo ChainInfo(JsonElement chain) =>
        new(Str(chain, "family"), Str(chain, "table"), Str(chain, "name"), Str(chain, "type"), Str(chain, "hook"),
            chain.TryGetProperty("prio", out var prio) && prio.ValueKind == JsonValueKind.Number ? prio.GetInt32() : 0);

    // An object (map, chain, rule) of our table of this family; the table item itself carries "name", not "table".
    private static bool IsOurs(JsonElement item, string family)
    {
        using var properties = item.EnumerateObject();
        return properties.MoveNext() && properties.Current.Value.ValueKind == JsonValueKind.Object
            && Str(properties.Current.Value, "table") == NftRenderer.TableName && Str(properties.Current.Value, "family") == family;
    }

    private static NftMap ReadMap(JsonElement map, string family, List<RuleCounter>? counters)
    {
        var name = Str(map, "name");
        var keyType = TypeText(map.GetProperty("type"));
        var valueType = map.TryGetProperty("map", out var v) ? TypeText(v) : "";
        var interval = map.TryGetProperty("flags", out var flags) && (flags.ValueKind == JsonValueKind.Array
            ? flags.EnumerateArray().Any(f => f.GetString() == "interval")
            : flags.GetString() == "interval");
        var counter = map.TryGetProperty("stmt", out var stmt) && stmt.EnumerateArray().Any(s => s.TryGetProperty("counter", out _));
        var elements = new List<NftElement>();
        if (map.TryGetProperty("elem", out var elems))
        {
            foreach (var pair in elems.EnumerateArray())
            {
                var key = pair[0];
                JsonElement? elementCounter = null;
                if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("elem", out var wrapped))
                {
                    key = wrapped.GetProperty("val");
                    elementCounter = wrapped.TryGetProperty("counter", out var c) ? c : null;
                }
                var element = new NftElement(ValueText(key, mark: false), ValueText(pair[1], mark: valueType == "mark"));
                elements.Add(element);
                if (elementCounter is { } ec)
                {
                    counters?.Add(new RuleCounter($"{family} {NftRenderer.TableName} map {name}", element.ToString(),
                        ec.GetProperty("packets").GetUInt64(), ec.GetProperty("bytes").GetUInt64()));
                }
            }
        }
        return new NftMap(name, keyType, valueType, interval, counter, elements.ToValueList());
    }

    private static string TypeText(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" . ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString() ?? "";

    private static string ValueText(JsonElement value, bool mark)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return Address(value.GetString()!);
            case JsonValueKind.Number:
                return mark ? NftRenderer.MarkText(value.GetUInt32()) : value.GetRawText();
            case JsonValueKind.Object when value.TryGetProperty("concat", out var parts):
                return string.Join(" . ", parts.EnumerateArray().Select(p => ValueText(p, mark)));
            case JsonValueKind.Object when value.TryGetProperty("range", out var range):
                return $"{ValueText(range[0], mark)}-{ValueText(range[1], mark)}";
            default:
                return Unknown(value);
        }
    }

    // nft prints IPv6 compressed; normalise anyway so that the comparison never depends on spelling.
    private static string Address(string text) =>
        (text.Contains('.', StringComparison.Ordinal) || text.Contains(':', StringComparison.Ordinal)) && IPAddress.TryParse(text, out var address)
            ? address.ToString()
            : text;

    private static (string Text, ulong? Packets, ulong? Bytes) RuleText(JsonElement expressions, string family)
    {
        var words = new List<string>();
        ulong? packets = null, bytes = null;
        foreach (var expression in expressions.EnumerateArray())
        {
            if (expression.TryGetProperty("counter", out var counter))
            {
                words.Add("counter");
                if (counter.ValueKind == JsonValueKind.Object)
                {
                    packets = counter.GetProperty("packets").GetUInt64();
                    bytes = counter.GetProperty("bytes").GetUInt64();
                }
            }
            else if (expression.TryGetProperty("match", out var match))
            {
                words.Add(MatchText(match));
            }
            else if (expression.TryGetProperty("dnat", out var dnat))
            {
                words.Add($"dnat {family} to {NatTarget(dnat)}");
            }
            else if (expression.TryGetProperty("snat", out var snat))
            {
                words.Add($"snat {family} to {NatTarget(snat)}");
            }
            else if (expression.TryGetProperty("mangle", out var mangle) && Expression(mangle.GetProperty("key")) == "meta mark")
            {
                var value = mangle.GetProperty("value");
                words.Add("meta mark set " + (value.ValueKind == JsonValueKind.Number ? NftRenderer.MarkText(value.GetUInt32()) : Expression(value)));
            }
            else if (expression.TryGetProperty("accept", out _))
            {
                words.Add("accept");
            }
            else if (expression.TryGetProperty("drop", out _))
            {
                words.Add("drop");
            }
            else
            {
                words.Add(Unknown(expression));
            }
        }
        return (string.Join(' ', words), packets, bytes);
    }

    private static string MatchText(JsonElement match)
    {
        var op = Str(match, "op");
        var left = Expression(match.GetProperty("left"));
        var right = match.GetProperty("right");
        var rightText = right.ValueKind == JsonValueKind.String && left is "iifname" or "oifname"
            ? $"\"{right.GetString()}\""
            : right.ValueKind == JsonValueKind.String ? right.GetString()!
            // A list of flags ("ct state established,related") is an array of words.
            : right.ValueKind == JsonValueKind.Array ? string.Join(',', right.EnumerateArray().Select(Expression))
            : Expression(right);
        return op switch
        {
            "==" or "in" => $"{left} {rightText}",
            _ => $"{left} {op} {rightText}",
        };
    }

    private static string NatTarget(JsonElement nat)
    {
        var addr = nat.TryGetProperty("addr", out var a) ? (a.ValueKind == JsonValueKind.String ? Address(a.GetString()!) : Expression(a)) : "";
        if (nat.TryGetProperty("port", out var port))
        {
            addr = (addr.Contains(':', StringComparison.Ordinal) ? $"[{addr}]" : addr) + ":" + Expression(port);
        }
        return addr;
    }

    // Left-hand sides and map lookups of the forms we render; anything else is shown raw.
    private static string Expression(JsonElement expression)
    {
        switch (expression.ValueKind)
        {
            case JsonValueKind.String:
                return expression.GetString()!;
            case JsonValueKind.Number:
                return expression.GetRawText();
        }
        if (expression.TryGetProperty("meta", out var meta))
        {
            var key = Str(meta, "key");
            return key is "iifname" or "oifname" or "l4proto" ? (key == "l4proto" ? "meta l4proto" : key) : $"meta {key}";
        }
        if (expression.TryGetProperty("ct", out var ct))
        {
            return $"ct {Str(ct, "key")}";
        }
        if (expression.TryGetProperty("payload", out var payload) && payload.TryGetProperty("protocol", out var protocol))
        {
            return $"{protocol.GetString()} {Str(payload, "field")}";
        }
        if (expression.TryGetProperty("concat", out var parts))
        {
            return string.Join(" . ", parts.EnumerateArray().Select(Expression));
        }
        if (expression.TryGetProperty("map", out var map))
        {
            return $"{Expression(map.GetProperty("key"))} map {Str(map, "data")}";
        }
        if (expression.TryGetProperty("range", out var range))
        {
            return $"{Expression(range[0])}-{Expression(range[1])}";
        }
        if (expression.TryGetProperty("set", out var set))
        {
            return "{ " + string.Join(", ", set.EnumerateArray().Select(Expression)) + " }";
        }
        return Unknown(expression);
    }

    private static string Unknown(JsonElement element) => $"<json {element.GetRawText()}>";

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
