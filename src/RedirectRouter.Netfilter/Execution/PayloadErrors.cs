using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RedirectRouter.Netfilter.Execution;

/// <summary>Turns a tool's complaint about a payload into an exception that quotes the offending line.</summary>
internal static partial class PayloadErrors
{
    // iptables-restore: "Error occurred at line: 5"; nft: "/dev/stdin:5:7-10: Error: ..."
    [GeneratedRegex(@"(?:Error occurred at line: (?<line>\d+))|(?:^/dev/stdin:(?<line>\d+):)|(?:line (?<line>\d+) failed)", RegexOptions.Multiline)]
    private static partial Regex LineNumber();

    public static NetfilterException Rejected(string tool, CommandResult result, string payload)
    {
        var error = result.StandardError.Trim();
        var match = LineNumber().Match(error);
        var lines = payload.Split('\n');
        if (!match.Success || !int.TryParse(match.Groups["line"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1 || number > lines.Length)
        {
            return new NetfilterException($"{tool} rejected the ruleset (exit {result.ExitCode}): {error}", tool, result.ExitCode, error);
        }

        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{tool} rejected line {number} of the ruleset (exit {result.ExitCode}): {lines[number - 1].Trim()}\n")
            .Append(error).Append('\n');
        // Like kube-proxy's ExtractLines: the neighbours make the line findable in a 10,000-rule payload.
        for (var i = Math.Max(1, number - 2); i <= Math.Min(lines.Length, number + 2); i++)
        {
            message.Append(CultureInfo.InvariantCulture, $"{(i == number ? "=>" : "  ")} {i,5}: {lines[i - 1]}\n");
        }
        return new NetfilterException(message.ToString().TrimEnd(), tool, result.ExitCode, error, number, lines[number - 1]);
    }

    public static NetfilterException Failed(string tool, IReadOnlyList<string> arguments, CommandResult result) =>
        new($"{tool} {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {result.StandardError.Trim()}", tool, result.ExitCode, result.StandardError.Trim());
}
