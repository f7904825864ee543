namespace RedirectRouter.Netlink.NfTables;

/// <summary>What one batch operation does to its map's elements.</summary>
public enum NfElementVerb
{
    /// <summary><c>nft add element</c> (<c>NFT_MSG_NEWSETELEM</c>, <c>NLM_F_CREATE</c>): an identical element already there is no error.</summary>
    Add,
    /// <summary><c>nft create element</c> (<c>NFT_MSG_NEWSETELEM</c>, <c>NLM_F_CREATE | NLM_F_EXCL</c>): an element already there is EEXIST.</summary>
    Create,
    /// <summary><c>nft delete element</c> (<c>NFT_MSG_DELSETELEM</c>): a missing element is ENOENT.</summary>
    Delete,
}

/// <summary>One element operation of a batch: a verb, a map and its elements (values are ignored by deletes).</summary>
public sealed record NfElementOperation(NfElementVerb Verb, NfMap Map, IReadOnlyList<NfMapElement> Elements)
{
    /// <summary>The nft command this operation equals, e.g. <c>add element ip T M { tcp . 80 : 10.0.0.1 . 80 }</c>.</summary>
    public override string ToString() => Describe(Elements.Count <= 3 ? Elements : Elements.Take(3));

    /// <summary>The nft command for element <paramref name="index"/> alone, for an error that names it.</summary>
    internal string DescribeElement(int index) =>
        Elements.Count == 1 ? Describe(Elements) : $"{Command([Elements[index]])} (element {index + 1} of {Elements.Count})";

    private string Describe(IEnumerable<NfMapElement> shown)
    {
        var text = Command(shown);
        return Elements.Count > 3 ? $"{text[..^2]}, ... ({Elements.Count} elements) }}" : text;
    }

    private string Command(IEnumerable<NfMapElement> elements)
    {
        var verb = Verb switch { NfElementVerb.Add => "add", NfElementVerb.Create => "create", _ => "delete" };
        var shown = elements.Select(e => Verb == NfElementVerb.Delete ? e.Key.ToString() : e.ToString());
        return $"nft {verb} element {Map} {{ {string.Join(", ", shown)} }}";
    }
}

/// <summary>
/// The element changes of one nf_tables transaction, committed by <see cref="NfTablesHandle.Commit"/> as one
/// batch: the kernel applies all of them or, when any fails, none. Equals one <c>nft -f FILE</c> whose lines are
/// the operations, in order.
/// </summary>
public sealed class NfTablesBatch
{
    private readonly List<NfElementOperation> _operations = [];

    /// <summary>The operations, in the order they are sent.</summary>
    public IReadOnlyList<NfElementOperation> Operations => _operations;

    /// <summary>True when there is nothing to commit.</summary>
    public bool IsEmpty => _operations.Count == 0;

    /// <summary><c>add element FAMILY TABLE MAP { KEY : VALUE, ... }</c>.</summary>
    public NfTablesBatch ElementsAdd(NfMap map, IEnumerable<NfMapElement> elements) => Append(NfElementVerb.Add, map, elements);

    /// <summary><c>create element FAMILY TABLE MAP { KEY : VALUE, ... }</c>: fails with EEXIST if a key is there.</summary>
    public NfTablesBatch ElementsCreate(NfMap map, IEnumerable<NfMapElement> elements) => Append(NfElementVerb.Create, map, elements);

    /// <summary><c>delete element FAMILY TABLE MAP { KEY, ... }</c>: fails with ENOENT if a key is missing.</summary>
    public NfTablesBatch ElementsDelete(NfMap map, IEnumerable<NfPortKey> keys) =>
        Append(NfElementVerb.Delete, map, keys.Select(k => new NfMapElement(k, default)));

    /// <summary>
    /// <c>delete element FAMILY TABLE MAP { KEY, ... }</c> then <c>add element FAMILY TABLE MAP { KEY : VALUE, ... }</c> of the
    /// same keys in the same transaction: the new values replace the old ones, and no packet sees the map without them.
    /// </summary>
    public NfTablesBatch ElementsReplace(NfMap map, IEnumerable<NfMapElement> elements)
    {
        var list = elements.ToArray();
        ElementsDelete(map, list.Select(e => e.Key));
        return ElementsAdd(map, list);
    }

    private NfTablesBatch Append(NfElementVerb verb, NfMap map, IEnumerable<NfMapElement> elements)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(elements);
        var list = elements.ToArray();
        for (var i = 0; i < list.Length; i++)
        {
            if (NfTablesCodec.Validate(map, list[i], verb == NfElementVerb.Delete) is { } problem)
            {
                throw new ArgumentException($"element {i} ({(verb == NfElementVerb.Delete ? list[i].Key : list[i])}) does not fit map {map} ({map.Kind}): {problem}", nameof(elements));
            }
        }

        if (list.Length > 0)
        {
            _operations.Add(new NfElementOperation(verb, map, list));
        }

        return this;
    }
}
