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
