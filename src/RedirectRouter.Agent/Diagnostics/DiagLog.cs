using Microsoft.Extensions.Logging;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Log messages of the diag readers.</summary>
internal static partial class DiagLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "diag: reading {Step} failed: {Reason}")]
    public static partial void StepFailed(ILogger logger, string step, string reason);
}
