using Microsoft.Extensions.Logging;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// The netfilter facts: which backend holds our rules, their counters and drops, and the drift from the
/// desired ruleset, all from one listing per tool. Tools that fail or do not answer in time become an error field.
/// </summary>
internal sealed partial class NetfilterReader(ICommandRunner runner, ILogger logger)
{
    private readonly ICommandRunner _runner = runner;
    private readonly ILogger _logger = logger;

    public Task<NetfilterFact> ReadAsync(NetfilterTarget tools, DiagOptions options, DesiredState? desired, CancellationToken cancellationToken) =>
        ReadNetfilterAsync(tools, options, desired, cancellationToken);

    private async Task<NetfilterFact> ReadNetfilterAsync(NetfilterTarget tools, DiagOptions options, DesiredState? desired, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ToolTimeout * 3);
            var token = timeout.Token;
            // One listing per tool: presence, counters and the comparison all come from it.
            var inspection = await NetfilterInspector.ReadAsync(_runner, tools, options.Config?.Settings.Backend ?? NetfilterBackend.Auto, cancellationToken: token).ConfigureAwait(false);
            if (inspection.BackendName is not { } backendName)
            {
                return new NetfilterFact { Error = "neither nft nor iptables is installed" };
            }

            var presence = inspection.Presence;
            var counters = presence.Any ? inspection.Counters : [];
            NetfilterDriftFact? drift = null;
            if (desired is not null)
            {
                var report = inspection.Verify(desired.Nat)!;
                // The agent exempts its own endpoint port (given on its command line, so unknown to the file)
                // from redirection: such rules are the agent's, not drift. Compare again with them expected.
                var exempt = report.Extra.Select(ExemptPort).OfType<int>().ToArray();
                if (exempt.Length > 0)
                {
                    report = inspection.Verify(desired.Nat with { LocalTcpPorts = desired.Nat.LocalTcpPorts.Concat(exempt).Distinct().ToValueList() })!;
                }

                drift = new NetfilterDriftFact(report.Missing, report.Extra, report.Shadowing);
            }

            return new NetfilterFact
            {
                Backend = backendName,
                RulesPresent = presence.Any,
                Rules = counters.Select(c => new RuleCounterFact(c.Location, c.Rule, c.Packets, c.Bytes)).ToList(),
                Drops = presence.Any ? FilterDrops.Of(counters).Select(d => new DropCountFact(d.Direction, d.Family, d.Hook, d.Packets, d.Bytes)).ToList() : [],
                Drift = drift,
            };
        }
        catch (Exception e) when (e is NetfilterException or OperationCanceledException or IOException or System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException)
        {
            LogStepFailed(_logger, "netfilter", e.Message);
            return new NetfilterFact { Error = e is OperationCanceledException ? "the netfilter tools did not answer in time" : e.Message };
        }
    }

    private static void LogStepFailed(ILogger logger, string step, string reason) => DiagLog.StepFailed(logger, step, reason);

    // "... tcp dport 9100 counter accept" (nftables) or "... -p tcp -m tcp --dport 9100 -j RETURN" (iptables).
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:tcp dport (?<port>\d+) counter accept|-p tcp -m tcp --dport (?<port>\d+) -j RETURN)$")]
    private static partial System.Text.RegularExpressions.Regex ExemptionRule();

    private static int? ExemptPort(string rule) =>
        ExemptionRule().Match(rule) is { Success: true } match ? int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
}
