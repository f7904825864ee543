using System.Globalization;
using System.Text;

namespace RedirectRouter.Core.Diagnostics;

/// <summary>Where a finding is: an environment variable and line, or a file, line, column and key path.</summary>
/// <param name="Source">The variable name or the file path.</param>
/// <param name="Line">The 1-based line, if known.</param>
/// <param name="Column">The 1-based column, if known.</param>
/// <param name="KeyPath">The key path in a structured file, such as <c>homes[1].addresses[0]</c>.</param>
public sealed record ConfigLocation(string Source, int? Line = null, int? Column = null, string? KeyPath = null)
{
    /// <summary>"homes[0].addresses[1] (config.yaml:12)", or "EGRESS_DESTINATION:3", or "EGRESS_SOURCE".</summary>
    public override string ToString()
    {
        var where = new StringBuilder(Source);
        if (Line is { } line)
        {
            where.Append(CultureInfo.InvariantCulture, $":{line}");
        }
        return KeyPath is { Length: > 0 } path ? $"{path} ({where})" : where.ToString();
    }
}
