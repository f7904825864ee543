namespace RedirectRouter.Core.Parsing.Documents;

/// <summary>A node of a YAML or JSON document with its position, so findings can name a line.</summary>
internal abstract class DocNode(int line, int column)
{
    /// <summary>The 1-based line.</summary>
    public int Line { get; } = line;

    /// <summary>The 1-based column.</summary>
    public int Column { get; } = column;

    /// <summary>What kind of value this is, for "expected a mapping, found a list" messages.</summary>
    public abstract string KindName { get; }
}

/// <summary>How a scalar was written; decides whether "80" may be read as a number.</summary>
internal enum ScalarKind
{
    /// <summary>A YAML plain scalar: text, number, boolean or null by its look.</summary>
    Plain,
    /// <summary>A quoted string (YAML or JSON).</summary>
    String,
    /// <summary>A JSON number.</summary>
    Number,
    /// <summary>A JSON true/false.</summary>
    Boolean,
    /// <summary>A JSON null.</summary>
    Null,
}

/// <summary>A scalar value.</summary>
internal sealed class DocScalar(int line, int column, string value, ScalarKind kind) : DocNode(line, column)
{
    /// <summary>The text as written (JSON numbers keep their raw text).</summary>
    public string Value { get; } = value;

    /// <summary>How it was written.</summary>
    public ScalarKind Kind { get; } = kind;

    /// <summary>A YAML null (~, null, empty) or a JSON null.</summary>
    public bool IsNull => Kind == ScalarKind.Null || (Kind == ScalarKind.Plain && Value is "" or "~" or "null" or "Null" or "NULL");

    /// <inheritdoc/>
    public override string KindName => IsNull ? "null" : Kind switch
    {
        ScalarKind.Number => "a number",
        ScalarKind.Boolean => "a boolean",
        _ => "a text value",
    };
}

/// <summary>A list.</summary>
internal sealed class DocSequence(int line, int column, IReadOnlyList<DocNode> items) : DocNode(line, column)
{
    /// <summary>The items in order.</summary>
    public IReadOnlyList<DocNode> Items { get; } = items;

    /// <inheritdoc/>
    public override string KindName => "a list";
}

/// <summary>A mapping, keys in document order (duplicates already reported and dropped).</summary>
internal sealed class DocMapping(int line, int column, IReadOnlyList<KeyValuePair<DocScalar, DocNode>> entries) : DocNode(line, column)
{
    /// <summary>The entries in order.</summary>
    public IReadOnlyList<KeyValuePair<DocScalar, DocNode>> Entries { get; } = entries;

    /// <summary>The value of a key, if present.</summary>
    public DocNode? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    /// <summary>The key node of a key, for locations.</summary>
    public DocScalar? KeyNode(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;

    /// <inheritdoc/>
    public override string KindName => "a mapping";
}
