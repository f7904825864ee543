using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>What the OpenShift environment says, with every finding.</summary>
/// <param name="Mode">The router mode.</param>
/// <param name="ModeText">The mode as written (for the "Unrecognized" message).</param>
/// <param name="Source">The parsed EGRESS_SOURCE, if valid.</param>
/// <param name="Lines">The non-comment destination lines, in order.</param>
/// <param name="Diagnostics">All findings, in the script's order: source, gateway, settings, mode, destination lines.</param>
/// <param name="Config">The configuration; null when there is any error.</param>
/// <param name="SourceMap">Where each model object came from.</param>
public sealed record OpenShiftEnvironmentResult(
    OpenShiftRouterMode Mode,
    string ModeText,
    InterfaceAddress? Source,
    IReadOnlyList<OpenShiftDestinationLine> Lines,
    IReadOnlyList<ConfigDiagnostic> Diagnostics,
    RouterConfig? Config,
    SourceMap SourceMap)
{
    /// <summary>Whether any error was found.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The error egress-router.sh would stop with (the first one in its order), if any.</summary>
    public ConfigDiagnostic? FirstScriptError => Diagnostics.FirstOrDefault(d => d.IsError && d.ScriptMessage is not null);
}
