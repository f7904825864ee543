namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>
/// The iptables lines egress-router.sh prints in unit-test mode, character for character, as the script
/// of the OpenShift 3.10 to 4.20 egress router image prints them: the cluster interface is hard-coded as
/// eth0 and the SNAT rule names the macvlan as its output interface (the 3.9 script had no <c>-o macvlan0</c>).
/// </summary>
public static class OpenShiftScriptRules
{
    /// <summary>"-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.7.8.9:80".</summary>
    public static string Dnat(string protocol, string localPort, string destination, string? targetPort) =>
        $"-A PREROUTING -i eth0 -p {protocol} --dport {localPort} -j DNAT --to-destination {destination}"
        + (targetPort is null ? "" : ":" + targetPort);

    /// <summary>"-A PREROUTING -i eth0 -j DNAT --to-destination 10.1.2.3".</summary>
    public static string Fallback(string destination) => $"-A PREROUTING -i eth0 -j DNAT --to-destination {destination}";

    /// <summary>"-A POSTROUTING -o macvlan0 -j SNAT --to-source 1.2.3.4" (the address without its prefix).</summary>
    public static string Snat(string source) => $"-A POSTROUTING -o macvlan0 -j SNAT --to-source {source}";

    /// <summary>
    /// Replays unit-test mode: the rules the script prints (stdout), then the error it stops with, if any.
    /// Only errors that carry a script message stop the replay, in the script's order.
    /// </summary>
    public static UnitTestOutput RenderUnitTest(OpenShiftEnvironmentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = new List<string>();
        var first = result.FirstScriptError;
        // Errors found before the destination lines (source, gateway, settings, mode) stop the script before any output.
        if (first is not null && first.Location.Line is null)
        {
            return new UnitTestOutput(lines, first.ScriptMessage);
        }
        foreach (var line in result.Lines)
        {
            if (line.EchoedRule is not null)
            {
                lines.Add(line.EchoedRule);
            }
            if (line.ScriptError is not null)
            {
                return new UnitTestOutput(lines, line.ScriptError);
            }
        }
        if (result.Source is null)
        {
            // Unreachable when the parser reported the missing source, kept for safety.
            return new UnitTestOutput(lines, "EGRESS_SOURCE unspecified or invalid");
        }
        lines.Add(Snat(result.Source.Address.ToString()));
        return new UnitTestOutput(lines, null);
    }
}
