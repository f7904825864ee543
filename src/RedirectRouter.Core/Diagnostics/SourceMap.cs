namespace RedirectRouter.Core.Diagnostics;

/// <summary>
/// Remembers where each model object came from, so that checks made on the model (after parsing)
/// can still point at a file line or a variable line. Keyed by object identity, not value:
/// two equal rules on different lines keep their own locations.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<object, ConfigLocation> _locations = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, Dictionary<string, ConfigLocation>> _keyLocations = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, HashSet<string>> _incomplete = new(ReferenceEqualityComparer.Instance);

    /// <summary>Where findings without a more precise place are reported (the file or the first variable).</summary>
    public ConfigLocation Root { get; }

    /// <summary>Creates a map whose fallback location is <paramref name="root"/>.</summary>
    public SourceMap(ConfigLocation root) => Root = root;

    /// <summary>Records where <paramref name="item"/> was read.</summary>
    public void Add(object item, ConfigLocation location) => _locations[item] = location;

    /// <summary>Where <paramref name="item"/> was read; the root if unknown.</summary>
    public ConfigLocation Of(object? item) =>
        item is not null && _locations.TryGetValue(item, out var location) ? location : Root;

    /// <summary>Records where one key of <paramref name="item"/> was read.</summary>
    public void Add(object item, string key, ConfigLocation location)
    {
        if (!_keyLocations.TryGetValue(item, out var keys))
        {
            _keyLocations[item] = keys = new Dictionary<string, ConfigLocation>(StringComparer.Ordinal);
        }
        keys[key] = location;
    }

    /// <summary>
    /// Notes that part of <paramref name="item"/> (or of the whole config, with <see cref="ConfigScope"/>) was
    /// dropped because it did not parse, so checks that depend on it stay quiet instead of inventing errors.
    /// </summary>
    public void MarkIncomplete(object item, string aspect)
    {
        if (!_incomplete.TryGetValue(item, out var aspects))
        {
            _incomplete[item] = aspects = new HashSet<string>(StringComparer.Ordinal);
        }
        aspects.Add(aspect);
    }

    /// <summary>Whether part of <paramref name="item"/> was dropped.</summary>
    public bool IsIncomplete(object item, string aspect) => _incomplete.TryGetValue(item, out var aspects) && aspects.Contains(aspect);

    /// <summary>The key used with <see cref="MarkIncomplete"/> for config-wide aspects ("homes", "rules", "fallback").</summary>
    public object ConfigScope => this;

    /// <summary>The location of one key of <paramref name="item"/>: as recorded, or derived from the item's.</summary>
    public ConfigLocation Of(object? item, string subKey)
    {
        if (item is not null && _keyLocations.TryGetValue(item, out var keys) && keys.TryGetValue(subKey, out var exact))
        {
            return exact;
        }
        var location = Of(item);
        return location.KeyPath is null ? location : location with { KeyPath = location.KeyPath + "." + subKey };
    }
}
