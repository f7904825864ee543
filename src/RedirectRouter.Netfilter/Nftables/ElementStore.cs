using RedirectRouter.Netlink.NfTables;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>
/// The elements of our maps as compact values (a key of 6 bytes, a value of an address and a port), by family
/// and map: what the backend holds instead of the ruleset's text, and what it diffs into one element batch.
/// </summary>
internal sealed class ElementStore
{
    private readonly Dictionary<(string Family, string Map), Dictionary<NfPortKey, NfMapValue>> _maps = [];

    /// <summary>How many elements, over all maps.</summary>
    public int Count => _maps.Values.Sum(m => m.Count);

    /// <summary>The store of <paramref name="elements"/> (as <see cref="NftRenderer.BuildElements"/> lists them).</summary>
    public static ElementStore From(IEnumerable<(string Family, string Map, NfMapElement Element)> elements)
    {
        var store = new ElementStore();
        foreach (var (family, map, element) in elements)
        {
            store.Add(family, map, element);
        }
        return store;
    }

    /// <summary>Declares a map (possibly empty).</summary>
    public Dictionary<NfPortKey, NfMapValue> AddMap(string family, string map)
    {
        if (!_maps.TryGetValue((family, map), out var elements))
        {
            _maps[(family, map)] = elements = [];
        }
        return elements;
    }

    /// <summary>Adds (or overwrites) one element.</summary>
    public void Add(string family, string map, NfMapElement element) => AddMap(family, map)[element.Key] = element.Value;

    /// <summary>One batch adding every element (a freshly created, empty table).</summary>
    public NfTablesBatch AddAll()
    {
        var batch = new NfTablesBatch();
        foreach (var ((family, map), elements) in _maps)
        {
            batch.ElementsAdd(NfMapOf(family, map), elements.Select(e => new NfMapElement(e.Key, e.Value)));
        }
        return batch;
    }

    /// <summary>
    /// The batch from this state to <paramref name="desired"/>: first the deletes of every key that is gone or
    /// whose value changes, over all maps, then the adds of every new or changed element, so a changed value is
    /// replaced in the same transaction and no packet sees the map without it.
    /// </summary>
    public NfTablesBatch DeltaTo(ElementStore desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var batch = new NfTablesBatch();
        var maps = _maps.Keys.Union(desired._maps.Keys).ToArray();
        foreach (var (family, map) in maps)
        {
            var now = desired._maps.GetValueOrDefault((family, map));
            var was = _maps.GetValueOrDefault((family, map));
            if (was is not null)
            {
                batch.ElementsDelete(NfMapOf(family, map),
                    was.Where(e => now is null || !now.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => e.Key));
            }
        }
        foreach (var (family, map) in maps)
        {
            var now = desired._maps.GetValueOrDefault((family, map));
            var was = _maps.GetValueOrDefault((family, map));
            if (now is not null)
            {
                batch.ElementsAdd(NfMapOf(family, map),
                    now.Where(e => was is null || !was.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => new NfMapElement(e.Key, e.Value)));
            }
        }
        return batch;
    }

    /// <summary>Compares the live <paramref name="entries"/> of one map with this store, in nft's words.</summary>
    public void Compare(string family, string map, IReadOnlyList<NfMapEntry> entries, string location, List<string> missing, List<string> extra)
    {
        var wanted = _maps.GetValueOrDefault((family, map)) ?? [];
        var seen = new HashSet<NfPortKey>();
        foreach (var entry in entries)
        {
            if (wanted.TryGetValue(entry.Key, out var value) && value == entry.Value)
            {
                seen.Add(entry.Key);
            }
            else
            {
                extra.Add($"{location}: {NftRenderer.ElementText(entry.Element)}");
            }
        }
        if (seen.Count != wanted.Count)
        {
            missing.AddRange(wanted.Where(e => !seen.Contains(e.Key)).Select(e => $"{location}: {NftRenderer.ElementText(new NfMapElement(e.Key, e.Value))}"));
        }
    }

    /// <summary>The same batch as <c>nft -f</c> text, one line per operation.</summary>
    public static string ToNftText(NfTablesBatch batch)
    {
        var text = new System.Text.StringBuilder();
        foreach (var operation in batch.Operations)
        {
            var verb = operation.Verb == NfElementVerb.Delete ? "delete" : operation.Verb == NfElementVerb.Create ? "create" : "add";
            text.Append(verb).Append(" element ").Append(operation.Map.ToString()).Append(" { ");
            for (var i = 0; i < operation.Elements.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(operation.Verb == NfElementVerb.Delete
                    ? NftRenderer.KeyText(operation.Elements[i].Key)
                    : NftRenderer.ElementText(operation.Elements[i]));
            }
            text.Append(" }\n");
        }
        return text.ToString();
    }

    private static NfMap NfMapOf(string family, string map) => new(family == "ip6" ? NfFamily.Ip6 : NfFamily.Ip, NftRenderer.TableName, map, map switch
    {
        NftRenderer.PortMap => NfMapKind.Ports,
        NftRenderer.RangeMap => NfMapKind.Ranges,
        _ => NfMapKind.Marks,
    });
}
