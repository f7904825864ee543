using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Connection tracking entries per destination, through <c>conntrack -L</c> in the router's namespace; a failure becomes the error field.</summary>
internal sealed class ConntrackReader(ICommandRunner runner)
{
    private readonly ICommandRunner _runner = runner;

    public async Task<ConntrackFact> ReadAsync(NetfilterTarget tools, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            var result = await tools.RunAsync(_runner, "conntrack", ["-L"], null, timeout.Token).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return new ConntrackFact { Error = $"conntrack -L failed: {result.StandardError.Trim()}" };
            }

            return DiagParsers.ParseConntrack(result.StandardOutput);
        }
        catch (ToolNotFoundException e) when (e.Tool != "conntrack")
        {
            return new ConntrackFact { Error = $"conntrack cannot run: {e.Message}" };
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException or FileNotFoundException)
        {
            return new ConntrackFact { Error = "the conntrack tool is not installed (conntrack-tools)" };
        }
        catch (OperationCanceledException)
        {
            return new ConntrackFact { Error = "conntrack -L did not finish in time" };
        }
        catch (NetfilterException e)
        {
            // Killed at its deadline, or more output than is read.
            return new ConntrackFact { Error = e.Message };
        }
    }
}
