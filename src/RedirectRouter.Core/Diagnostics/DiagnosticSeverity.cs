namespace RedirectRouter.Core.Diagnostics;

/// <summary>How bad a finding is: errors stop the agent, warnings do not.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The configuration cannot be applied.</summary>
    Error,
    /// <summary>The configuration works but is probably not what was meant.</summary>
    Warning,
}
