namespace RedirectRouter.Netfilter;

/// <summary>
/// A netfilter tool failed. When it rejected a payload, <see cref="OffendingLine"/> is the line it named
/// (1-based) and <see cref="Message"/> quotes it with its neighbours, so the log shows what was wrong.
/// </summary>
public sealed class NetfilterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NetfilterException(string message, string tool, int exitCode, string toolError, int? offendingLine = null, string? offendingText = null)
        : base(message)
    {
        Tool = tool;
        ExitCode = exitCode;
        ToolError = toolError;
        OffendingLine = offendingLine;
        OffendingText = offendingText;
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the full constructor).</summary>
    public NetfilterException() : this("netfilter tool failed", "", -1, "")
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the full constructor).</summary>
    public NetfilterException(string message) : this(message, "", -1, "")
    {
    }

    /// <summary>Creates the exception (for serializers and analyzers; prefer the full constructor).</summary>
    public NetfilterException(string message, Exception innerException) : base(message, innerException)
    {
        Tool = "";
        ToolError = "";
        ExitCode = -1;
    }

    /// <summary>The program that failed.</summary>
    public string Tool { get; }

    /// <summary>Its exit code.</summary>
    public int ExitCode { get; }

    /// <summary>What it printed on stderr.</summary>
    public string ToolError { get; }

    /// <summary>The 1-based payload line the tool blamed, if it named one.</summary>
    public int? OffendingLine { get; }

    /// <summary>The text of that line.</summary>
    public string? OffendingText { get; }
}
