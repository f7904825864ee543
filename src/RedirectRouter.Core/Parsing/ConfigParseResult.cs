using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing;

/// <summary>The outcome of reading any input: the model (only if error-free) and every finding.</summary>
/// <param name="Format">Which input format it was.</param>
/// <param name="Config">The configuration; null if there is any error.</param>
/// <param name="Diagnostics">Every finding: syntax first, then meaning.</param>
/// <param name="SourceMap">Where each model object came from.</param>
public sealed record ConfigParseResult(
    ConfigFormat Format,
    RouterConfig? Config,
    IReadOnlyList<ConfigDiagnostic> Diagnostics,
    SourceMap SourceMap)
{
    /// <summary>Whether any error was found.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}
