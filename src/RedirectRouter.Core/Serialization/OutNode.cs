namespace RedirectRouter.Core.Serialization;

/// <summary>A tree to write as YAML or JSON: the same content in both, written by <see cref="TreeWriter"/>.</summary>
public abstract class OutNode
{
    private protected OutNode()
    {
    }
}

/// <summary>A mapping with keys in the order added.</summary>
public sealed class OutMap : OutNode
{
    private readonly List<KeyValuePair<string, OutNode>> _entries = [];

    /// <summary>The entries in order.</summary>
    public IReadOnlyList<KeyValuePair<string, OutNode>> Entries => _entries;

    /// <summary>Adds an entry; null values are skipped, so optional keys can be added unconditionally.</summary>
    public OutMap Add(string key, OutNode? value)
    {
        if (value is not null)
        {
            _entries.Add(new(key, value));
        }
        return this;
    }

    /// <summary>Adds a text entry (skipped when null).</summary>
    public OutMap Add(string key, string? text) => Add(key, text is null ? null : OutScalar.Text(text));

    /// <summary>Adds a number entry (skipped when null).</summary>
    public OutMap Add(string key, long? number) => Add(key, number is null ? null : OutScalar.Number(number.Value));

    /// <summary>Adds a boolean entry.</summary>
    public OutMap Add(string key, bool value) => Add(key, OutScalar.Boolean(value));
}

/// <summary>A list.</summary>
public sealed class OutList(IEnumerable<OutNode> items) : OutNode
{
    /// <summary>The items.</summary>
    public IReadOnlyList<OutNode> Items { get; } = items.ToList();
}

/// <summary>A text, number or boolean.</summary>
public sealed class OutScalar : OutNode
{
    private OutScalar(string value, bool isLiteral)
    {
        Value = value;
        IsLiteral = isLiteral;
    }

    /// <summary>The value's text.</summary>
    public string Value { get; }

    /// <summary>A number or boolean: written without quotes in JSON.</summary>
    public bool IsLiteral { get; }

    /// <summary>A text value.</summary>
    public static OutScalar Text(string value) => new(value, false);

    /// <summary>A number.</summary>
    public static OutScalar Number(long value) => new(value.ToString(System.Globalization.CultureInfo.InvariantCulture), true);

    /// <summary>A boolean.</summary>
    public static OutScalar Boolean(bool value) => new(value ? "true" : "false", true);
}
