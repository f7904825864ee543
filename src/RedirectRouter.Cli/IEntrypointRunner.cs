using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Cli;

/// <summary>
/// The seam where the agent plugs into the OpenShift entrypoint: runs init, legacy, http-proxy or
/// dns-proxy mode for a configuration that has already been validated.
/// </summary>
public interface IEntrypointRunner
{
    /// <summary>Runs <paramref name="mode"/> and returns the exit code (see <see cref="ExitCodes"/>).</summary>
    int Run(OpenShiftRouterMode mode, RouterConfig config, CliContext context);
}
