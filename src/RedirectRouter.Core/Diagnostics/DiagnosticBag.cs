namespace RedirectRouter.Core.Diagnostics;

/// <summary>Collects findings in order; parsers keep going after an error so every error is reported at once.</summary>
public sealed class DiagnosticBag
{
    private readonly List<ConfigDiagnostic> _items = [];

    /// <summary>The findings so far, in the order found.</summary>
    public IReadOnlyList<ConfigDiagnostic> Items => _items;

    /// <summary>Whether any error (not warning) was found.</summary>
    public bool HasErrors => _items.Any(d => d.IsError);

    /// <summary>Adds an error.</summary>
    public void Error(string code, ConfigLocation location, string message, string? hint = null, string? scriptMessage = null) =>
        _items.Add(new ConfigDiagnostic(code, DiagnosticSeverity.Error, location, message, hint, scriptMessage));

    /// <summary>Adds a warning.</summary>
    public void Warning(string code, ConfigLocation location, string message, string? hint = null) =>
        _items.Add(new ConfigDiagnostic(code, DiagnosticSeverity.Warning, location, message, hint));

    /// <summary>Adds findings made elsewhere.</summary>
    public void AddRange(IEnumerable<ConfigDiagnostic> diagnostics) => _items.AddRange(diagnostics);
}
