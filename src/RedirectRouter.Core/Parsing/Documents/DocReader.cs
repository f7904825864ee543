using System.Globalization;
using System.Net;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing.Documents;

/// <summary>
/// Reads typed values out of <see cref="DocNode"/>s for a schema, reporting each problem with its
/// key path and line, and returning null so the caller can carry on and find the next problem.
/// </summary>
internal sealed class DocReader(string sourceName, DiagnosticBag bag)
{
    /// <summary>The findings.</summary>
    public DiagnosticBag Bag { get; } = bag;

    /// <summary>The file name used in locations.</summary>
    public string SourceName { get; } = sourceName;

    /// <summary>
    /// The key path of the document this reader reads inside the file, put before every path it reports
    /// ("items[0]" for the one resource of a List); empty for the whole file.
    /// </summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>A location for a node at a key path.</summary>
    public ConfigLocation At(DocNode node, string path) =>
        new(SourceName, node.Line, node.Column, KeyPrefix.Length == 0 ? path : path.Length == 0 ? KeyPrefix : KeyPrefix + "." + path);

    /// <summary>Reports an error at a node.</summary>
    public void Error(string code, DocNode node, string path, string message, string? hint = null) =>
        Bag.Error(code, At(node, path), message, hint);

    /// <summary>Reports a warning at a node.</summary>
    public void Warning(string code, DocNode node, string path, string message, string? hint = null) =>
        Bag.Warning(code, At(node, path), message, hint);

    /// <summary>Joins a key path: "homes[0]" + "name" = "homes[0].name".</summary>
    public static string Path(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    /// <summary>"homes" + 1 = "homes[1]".</summary>
    public static string Path(string parent, int index) => string.Create(CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>The node as a mapping; reports and returns null otherwise.</summary>
    public DocMapping? Mapping(DocNode node, string path)
    {
        if (node is DocMapping mapping)
        {
            return mapping;
        }
        Error(DiagnosticCodes.WrongType, node, path, $"expected a mapping (key: value), found {node.KindName}");
        return null;
    }

    private readonly Dictionary<DocMapping, HashSet<string>> _suggested = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Whether an unknown key of <paramref name="mapping"/> looked like a misspelt <paramref name="key"/>: the value meant
    /// for it was not read, so checks that need it must stay quiet (the typo is the one error).
    /// </summary>
    public bool WasMisspelt(DocMapping mapping, string key) => _suggested.TryGetValue(mapping, out var keys) && keys.Contains(key);

    /// <summary>Reports every key not in <paramref name="known"/>, suggesting the nearest known one.</summary>
    public void CheckKeys(DocMapping mapping, string path, IReadOnlyList<string> known)
    {
        foreach (var (key, _) in mapping.Entries)
        {
            if (known.Contains(key.Value, StringComparer.Ordinal))
            {
                continue;
            }
            var nearest = KeySuggester.Nearest(key.Value, known);
            if (nearest is not null)
            {
                if (!_suggested.TryGetValue(mapping, out var keys))
                {
                    _suggested[mapping] = keys = new HashSet<string>(StringComparer.Ordinal);
                }
                keys.Add(nearest);
            }
            Bag.Error(DiagnosticCodes.UnknownKey, At(key, Path(path, key.Value)), $"unknown key '{key.Value}'",
                nearest is not null ? $"did you mean '{nearest}'?" : $"known keys here: {string.Join(", ", known)}");
        }
    }

    /// <summary>The value of a key unless absent or null.</summary>
    public static DocNode? Get(DocMapping mapping, string key) =>
        mapping[key] is { } node && !(node is DocScalar { IsNull: true }) ? node : null;

    /// <summary>The field <paramref name="key"/> of a mapping at <paramref name="path"/>: its value (null when absent) and key path.</summary>
    public static DocField Field(DocMapping mapping, string path, string key) => new(mapping, path, key, Get(mapping, key));

    /// <summary>Whether a field is given; reports it as missing when it is not and <paramref name="missing"/> (the hint) is given.</summary>
    private bool Given(DocField field, string? missing)
    {
        if (field.Node is not null)
        {
            return true;
        }
        if (missing is not null)
        {
            Missing(field.Mapping, field.Parent, field.Key, missing);
        }
        return false;
    }

    /// <summary>Reports an error at a given field's value.</summary>
    public void Error(string code, DocField field, string message, string? hint = null) => Error(code, field.Node!, field.Path, message, hint);

    /// <summary>A mapping field; null when absent (reported as missing when <paramref name="missing"/> is given) or not a mapping.</summary>
    public DocMapping? Mapping(DocField field, string? missing = null) => Given(field, missing) ? Mapping(field.Node!, field.Path) : null;

    /// <summary>Records where <paramref name="item"/>'s <paramref name="key"/> (the field's own key unless given) was read, when the field is given.</summary>
    public void Locate(SourceMap map, object item, DocField field, string? key = null)
    {
        if (field.Node is not null)
        {
            map.Add(item, key ?? field.Key, At(field.Node, field.Path));
        }
    }

    /// <summary>A text field; null when absent (reported as missing when <paramref name="missing"/> is given) or not text.</summary>
    public string? Text(DocField field, string? missing = null) => Given(field, missing) ? Text(field.Node!, field.Path) : null;

    /// <summary>An integer field in [min, max]; null when absent or wrong.</summary>
    public int? Integer(DocField field, int min, int max, string what) => Given(field, null) ? Integer(field.Node!, field.Path, min, max, what) : null;

    /// <summary>A boolean field; null when absent or wrong.</summary>
    public bool? Boolean(DocField field) => Given(field, null) ? Boolean(field.Node!, field.Path) : null;

    /// <summary>A port or port range field; null when absent (reported as missing when <paramref name="missing"/> is given) or wrong.</summary>
    public PortRange? Ports(DocField field, bool allowRange, string? missing = null) =>
        Given(field, missing) ? Ports(field.Node!, field.Path, allowRange) : null;

    /// <summary>A plain IP address field; null when absent (reported as missing when <paramref name="missing"/> is given) or wrong.</summary>
    public IPAddress? Address(DocField field, string what, string? missing = null) =>
        Given(field, missing) ? Address(field.Node!, field.Path, what) : null;

    /// <summary>An interface address field; null when absent (reported as missing when <paramref name="missing"/> is given) or wrong.</summary>
    public InterfaceAddress? InterfaceAddress(DocField field, bool prefixOptional, string? missing = null) =>
        Given(field, missing) ? InterfaceAddress(field.Node!, field.Path, prefixOptional) : null;

    /// <summary>A network prefix field; null when absent (reported as missing when <paramref name="missing"/> is given) or wrong.</summary>
    public IPNetwork? Network(DocField field, string? missing = null) => Given(field, missing) ? Network(field.Node!, field.Path) : null;

    /// <summary>An interface name field; null when absent or wrong.</summary>
    public string? InterfaceName(DocField field) => Given(field, null) ? InterfaceName(field.Node!, field.Path) : null;

    /// <summary>Parses one word of an enumeration.</summary>
    public delegate bool WordParser<T>(string text, out T value);

    /// <summary>
    /// A field holding one word of an enumeration; null when absent, not text, or not a known word (reported
    /// with <paramref name="code"/> as "<paramref name="what"/> 'WORD' is not known" and <paramref name="hint"/>).
    /// </summary>
    public T? Word<T>(DocField field, WordParser<T> parse, string code, string what, string hint) where T : struct
    {
        if (Text(field) is not { } text)
        {
            return null;
        }
        if (parse(text, out var value))
        {
            return value;
        }
        Error(code, field.Node!, field.Path, $"{what} '{text}' is not known", hint);
        return null;
    }

    /// <summary>A macvlan mode field; <paramref name="fallback"/> when absent or wrong (reported with <paramref name="hint"/>).</summary>
    public MacvlanMode MacvlanMode(DocField field, MacvlanMode fallback, string hint) =>
        Word<MacvlanMode>(field, EnumWords.TryParseMacvlanMode, DiagnosticCodes.InvalidValue, "macvlan mode", hint) ?? fallback;

    /// <summary>
    /// Reads each item of a list field with <paramref name="parseItem"/> (given the item and its path "key[i]") and returns
    /// those that read. <paramref name="incomplete"/> is called for each item that does not, and once when the value is not
    /// a list (a single value is a list of one unless <paramref name="strict"/>) unless <paramref name="notListIncomplete"/> is false. With <paramref name="locate"/>, records where
    /// each returned item was read; <paramref name="keep"/> (given the item, those kept before it, its node and path) may
    /// drop a read item, reporting why itself.
    /// </summary>
    public List<T> List<T>(DocField field, Func<DocNode, string, T?> parseItem, Action incomplete, bool strict = true,
        bool notListIncomplete = true,
        SourceMap? locate = null, Func<T, IReadOnlyList<T>, DocNode, string, bool>? keep = null) where T : class
    {
        var read = new List<T>();
        if (field.Node is null)
        {
            return read;
        }
        if ((strict ? StrictList(field.Node, field.Path) : List(field.Node)) is not { } items)
        {
            if (notListIncomplete)
            {
                incomplete();
            }
            return read;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var path = Path(field.Path, i);
            if (parseItem(items[i], path) is not { } item)
            {
                incomplete();
                continue;
            }
            if (keep is not null && !keep(item, read, items[i], path))
            {
                continue;
            }
            locate?.Add(item, At(items[i], path));
            read.Add(item);
        }
        return read;
    }

    /// <summary>Reports a missing required key at the mapping.</summary>
    public void Missing(DocMapping mapping, string path, string key, string? hint = null)
    {
        if (!WasMisspelt(mapping, key))
        {
            Error(DiagnosticCodes.MissingKey, mapping, Path(path, key), $"'{key}' is required", hint);
        }
    }

    /// <summary>A text value; numbers and booleans are accepted as their text.</summary>
    public string? Text(DocNode node, string path)
    {
        if (node is DocScalar { IsNull: false } scalar)
        {
            return scalar.Value;
        }
        Error(DiagnosticCodes.WrongType, node, path, $"expected a text value, found {node.KindName}");
        return null;
    }

    /// <summary>An integer in [min, max].</summary>
    public int? Integer(DocNode node, string path, int min, int max, string what)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (node is DocScalar { Kind: ScalarKind.String or ScalarKind.Plain or ScalarKind.Number }
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return (int)value;
            }
            Error(DiagnosticCodes.NumberOutOfRange, node, path, $"{what} {text} is outside {min}..{max}");
            return null;
        }
        Error(DiagnosticCodes.WrongType, node, path, $"{what} '{text}' is not a whole number");
        return null;
    }

    /// <summary>A boolean (true/false).</summary>
    public bool? Boolean(DocNode node, string path)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        Error(DiagnosticCodes.WrongType, node, path, $"'{text}' is not true or false");
        return null;
    }

    /// <summary>A list; a single value is taken as a list of one.</summary>
    public IReadOnlyList<DocNode> List(DocNode node) => node is DocSequence sequence ? sequence.Items : [node];

    /// <summary>A list that must be written as one (so a mapping in its place is an error).</summary>
    public IReadOnlyList<DocNode>? StrictList(DocNode node, string path)
    {
        if (node is DocSequence sequence)
        {
            return sequence.Items;
        }
        Error(DiagnosticCodes.WrongType, node, path, $"expected a list, found {node.KindName}");
        return null;
    }

    /// <summary>A plain IP address (no prefix).</summary>
    public IPAddress? Address(DocNode node, string path, string what)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (AddressText.TryParseAddress(text, out var address))
        {
            return address;
        }
        Error(DiagnosticCodes.InvalidAddress, node, path, $"{what} '{text}' is not a valid IP address",
            text.Contains('/') ? "give a plain address here, without a /prefix" : "IPv4 is four decimal octets 0..255, e.g. 192.0.2.10; IPv6 e.g. 2001:db8::10");
        return null;
    }

    /// <summary>An interface address "ADDRESS/PREFIX" (or bare, when allowed).</summary>
    public InterfaceAddress? InterfaceAddress(DocNode node, string path, bool prefixOptional)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        var slash = text.IndexOf('/');
        var addressPart = slash < 0 ? text : text[..slash];
        if (!AddressText.TryParseAddress(addressPart, out var address))
        {
            Error(DiagnosticCodes.InvalidAddress, node, path, $"'{addressPart}' is not a valid IP address",
                "IPv4 is four decimal octets 0..255, e.g. 192.0.2.10/24; IPv6 e.g. 2001:db8::10/64");
            return null;
        }
        if (slash < 0)
        {
            if (prefixOptional)
            {
                return new InterfaceAddress(address, AddressText.MaxPrefix(address.AddressFamily));
            }
            Error(DiagnosticCodes.InvalidPrefix, node, path, $"'{text}' has no prefix length", $"write it as {text}/{AddressText.MaxPrefix(address.AddressFamily)} or with the subnet's prefix, e.g. /24");
            return null;
        }
        var max = AddressText.MaxPrefix(address.AddressFamily);
        if (!AddressText.TryParseDecimal(text[(slash + 1)..], max, out var prefix))
        {
            Error(DiagnosticCodes.InvalidPrefix, node, path, $"prefix length '{text[(slash + 1)..]}' is not a number in 0..{max}");
            return null;
        }
        return new InterfaceAddress(address, prefix);
    }

    /// <summary>A network prefix with clear host bits (a bare address is a host route; "default" is 0.0.0.0/0).</summary>
    public IPNetwork? Network(DocNode node, string path)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (text == "default")
        {
            return AddressText.DefaultNetwork(System.Net.Sockets.AddressFamily.InterNetwork);
        }
        if (InterfaceAddress(node, path, prefixOptional: true) is not { } parsed)
        {
            return null;
        }
        var network = parsed.Subnet;
        if (!network.BaseAddress.Equals(parsed.Address))
        {
            Error(DiagnosticCodes.InvalidPrefix, node, path, $"'{text}' has host bits set", $"did you mean {network}?");
            return null;
        }
        return network;
    }

    /// <summary>A port "80" or a range "8000-8010" (first ≤ last, each 1..65535).</summary>
    public PortRange? Ports(DocNode node, string path, bool allowRange)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        var dash = allowRange ? text.IndexOf('-', 1 < text.Length ? 1 : 0) : -1;
        var firstText = dash < 0 ? text : text[..dash];
        var lastText = dash < 0 ? text : text[(dash + 1)..];
        if (!AddressText.TryParseDecimal(firstText.Trim(), 65535, out var first) || first == 0
            || !AddressText.TryParseDecimal(lastText.Trim(), 65535, out var last) || last == 0)
        {
            Error(DiagnosticCodes.InvalidPort, node, path, $"port '{text}' is not {(allowRange ? "a port or range" : "a port")} in 1..65535",
                allowRange ? "write a port such as 80 or a range such as 8000-8010" : "write a port such as 80");
            return null;
        }
        if (first > last)
        {
            Error(DiagnosticCodes.ReversedPortRange, node, path, $"port range '{text}' runs backwards", $"write {last}-{first}");
            return null;
        }
        return new PortRange(first, last);
    }

    /// <summary>An interface name the kernel accepts.</summary>
    public string? InterfaceName(DocNode node, string path)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (InterfaceNames.IsValid(text))
        {
            return text;
        }
        Error(DiagnosticCodes.InvalidInterfaceName, node, path, $"'{InterfaceNames.Printable(text)}' is not a valid interface name",
            InterfaceNames.RuleText);
        return null;
    }

    /// <summary>A home name: the same shape as an interface name (it appears in metrics labels and printed output).</summary>
    public string? HomeName(DocNode node, string path)
    {
        if (Text(node, path) is not { } text)
        {
            return null;
        }
        if (InterfaceNames.IsValidHomeName(text))
        {
            return text;
        }
        Error(DiagnosticCodes.InvalidHomeName, node, path, $"'{InterfaceNames.Printable(text)}' is not a valid home name",
            InterfaceNames.RuleText);
        return null;
    }
}
