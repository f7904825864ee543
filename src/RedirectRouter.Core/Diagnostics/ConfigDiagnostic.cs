namespace RedirectRouter.Core.Diagnostics;

/// <summary>One finding about the input.</summary>
/// <param name="Code">The stable code (see <see cref="DiagnosticCodes"/> and docs/config.md).</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Location">Where it is.</param>
/// <param name="Message">What is wrong, in words.</param>
/// <param name="Hint">A one-line fix, where there is one.</param>
/// <param name="ScriptMessage">For OpenShift environment input: the exact message egress-router.sh prints for the same input.</param>
public sealed record ConfigDiagnostic(
    string Code,
    DiagnosticSeverity Severity,
    ConfigLocation Location,
    string Message,
    string? Hint = null,
    string? ScriptMessage = null)
{
    /// <summary>Whether this is an error (as opposed to a warning).</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>"error RR2003 homes[0].addresses[1] (config.yaml:12): message hint: fix".</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var text = $"{severity} {Code} {Location}: {Message}";
        return Hint is null ? text : $"{text} hint: {Hint}";
    }
}
