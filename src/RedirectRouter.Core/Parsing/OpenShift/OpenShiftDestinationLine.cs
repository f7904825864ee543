using System.Net;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>One non-comment EGRESS_DESTINATION line as egress-router.sh would handle it.</summary>
/// <param name="LineNumber">The 1-based line number (of the first physical line, for continued lines).</param>
/// <param name="Text">The line as the shell's <c>read</c> returns it (trimmed, backslashes processed).</param>
/// <param name="Rule">The mapping on this line, if it is one.</param>
/// <param name="Fallback">The fallback address, if the line is a lone IP.</param>
/// <param name="EchoedRule">The iptables rule the script prints for this line, made from the fields as written; it prints it before it checks the local port, so a line can print and then fail.</param>
/// <param name="ScriptError">The error the script stops with on this line, if any.</param>
public sealed record OpenShiftDestinationLine(
    int LineNumber,
    string Text,
    RedirectRule? Rule,
    IPAddress? Fallback,
    string? EchoedRule,
    string? ScriptError);
