using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing.OpenShift;

/// <summary>
/// Reads the OpenShift egress-router environment variables with egress-router.sh's grammar and
/// messages, but reports every error (the script stops at its first) and rejects out-of-range
/// octets such as 999.1.1.1 that the script lets through.
/// </summary>
public static class OpenShiftEnvironmentParser
{
    /// <summary>The name of the single home an OpenShift environment describes.</summary>
    public const string HomeName = "default";

    /// <summary>Parses the variables.</summary>
    /// <param name="environment">The environment (only the EGRESS_* names are read).</param>
    /// <param name="destinationFileContent">The content of EGRESS_DESTINATION_FILE, read by the caller; null if it could not be read.</param>
    public static OpenShiftEnvironmentResult Parse(IReadOnlyDictionary<string, string> environment, string? destinationFileContent = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var bag = new DiagnosticBag();
        var sourceMap = new SourceMap(new ConfigLocation(OpenShiftVariables.Destination));

        var source = ParseSource(Get(environment, OpenShiftVariables.Source), bag);
        var gateway = ParseGateway(Get(environment, OpenShiftVariables.Gateway), bag);
        var (parent, hostNetns, macvlanMode) = ParseSettings(environment, bag);
        var (mode, modeText) = ParseMode(Get(environment, OpenShiftVariables.Mode), bag);

        var lines = new List<OpenShiftDestinationLine>();
        // http-proxy and dns-proxy set up the network only: the script never reads EGRESS_DESTINATION then.
        var needsDestination = mode is not (OpenShiftRouterMode.HttpProxy or OpenShiftRouterMode.DnsProxy);
        if (needsDestination && ReadDestinationText(environment, destinationFileContent, bag) is { } destination)
        {
            ParseDestination(destination.Text, destination.Location, lines, bag, sourceMap);
        }

        RouterConfig? config = null;
        if (!bag.HasErrors && source is not null && gateway is not null)
        {
            var settings = AgentSettings.Default with
            {
                Debug = Get(environment, OpenShiftVariables.Debug) is not null,
                HostNetns = hostNetns,
            };
            var home = new Home(
                HomeName,
                settings.InterfaceName,
                parent,
                LinkOrigin.AdoptOrCreate,
                macvlanMode,
                Mtu: null,
                [source],
                [gateway],
                // The script adds "GW/32 dev macvlan0", so the gateway is on-link whatever the prefix.
                GatewayOnLink: true,
                ValueList<RouteSpec>.Empty);
            sourceMap.Add(home, new ConfigLocation(OpenShiftVariables.Source));
            var fallback = lines.Select(l => l.Fallback).LastOrDefault(f => f is not null);
            config = new RouterConfig(
                [home],
                lines.Where(l => l.Rule is not null).Select(l => l.Rule!).ToValueList(),
                new FallbackDestinations(fallback, null),
                settings);
        }

        return new OpenShiftEnvironmentResult(mode, modeText, source, lines, bag.Items, config, sourceMap);
    }

    // The script reads "${VAR:-}": unset and empty are the same.
    private static string? Get(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static InterfaceAddress? ParseSource(string? text, DiagnosticBag bag)
    {
        const string scriptMessage = "EGRESS_SOURCE unspecified or invalid";
        var location = new ConfigLocation(OpenShiftVariables.Source);
        if (text is null)
        {
            bag.Error(DiagnosticCodes.EnvSourceInvalid, location, "EGRESS_SOURCE is not set",
                "set EGRESS_SOURCE to the egress IPv4 address, e.g. 192.0.2.99 or 192.0.2.99/24", scriptMessage);
            return null;
        }
        if (AddressText.TryParseInterfaceAddress(text, prefixOptional: true, out var address)
            && address.Family == AddressFamily.InterNetwork)
        {
            var problem = Validation.SpecialAddresses.NeverRoutable(address.Address) is { } kind ? $"is a {kind} address"
                : address.PrefixLength == 0 ? "has a /0 prefix" : null;
            if (problem is null)
            {
                return address;
            }
            bag.Error(DiagnosticCodes.InvalidEgressSource, location, $"EGRESS_SOURCE {address} {problem}: it cannot be the source the outside sees",
                "use the egress IP the outside firewalls allow, e.g. 192.0.2.99/24", scriptMessage);
            return null;
        }
        bag.Error(DiagnosticCodes.EnvSourceInvalid, location,
            $"EGRESS_SOURCE '{Printable(text)}' is not an IPv4 address with an optional /prefix (0..32)",
            "use four decimal octets 0..255, e.g. 192.0.2.99 or 192.0.2.99/24", scriptMessage);
        return null;
    }

    private static IPAddress? ParseGateway(string? text, DiagnosticBag bag)
    {
        const string scriptMessage = "EGRESS_GATEWAY unspecified or invalid";
        var location = new ConfigLocation(OpenShiftVariables.Gateway);
        if (text is null)
        {
            bag.Error(DiagnosticCodes.EnvGatewayInvalid, location, "EGRESS_GATEWAY is not set",
                "set EGRESS_GATEWAY to the IPv4 address of the next-hop router", scriptMessage);
            return null;
        }
        if (AddressText.TryParseIPv4(text, out var gateway))
        {
            return gateway;
        }
        bag.Error(DiagnosticCodes.EnvGatewayInvalid, location,
            $"EGRESS_GATEWAY '{Printable(text)}' is not an IPv4 address",
            text.Contains('/') ? "EGRESS_GATEWAY takes no /prefix" : "use four decimal octets 0..255, e.g. 192.0.2.1", scriptMessage);
        return null;
    }

    private static (string? Parent, string? HostNetns, MacvlanMode Mode) ParseSettings(IReadOnlyDictionary<string, string> environment, DiagnosticBag bag)
    {
        var parent = Get(environment, OpenShiftVariables.Parent);
        if (parent is not null && !InterfaceNames.IsValid(parent))
        {
            var message = $"{OpenShiftVariables.Parent} '{Printable(parent)}' is not a valid interface name";
            bag.Error(DiagnosticCodes.EnvInvalidSetting, new ConfigLocation(OpenShiftVariables.Parent), message,
                $"use the node NIC's name, e.g. eth1 ({InterfaceNames.RuleText})", message);
            parent = null;
        }

        var hostNetns = Get(environment, OpenShiftVariables.HostNetns);
        if (hostNetns is not null && !hostNetns.StartsWith('/'))
        {
            var message = $"{OpenShiftVariables.HostNetns} '{Printable(hostNetns)}' is not an absolute path";
            bag.Error(DiagnosticCodes.EnvInvalidSetting, new ConfigLocation(OpenShiftVariables.HostNetns), message,
                "mount the node's /proc/1/ns/net and give its path, e.g. /host/proc/1/ns/net", message);
            hostNetns = null;
        }

        var mode = MacvlanMode.Private;
        if (Get(environment, OpenShiftVariables.MacvlanMode) is { } modeText && !EnumWords.TryParseMacvlanMode(modeText, out mode))
        {
            var message = $"{OpenShiftVariables.MacvlanMode} '{Printable(modeText)}' is invalid";
            bag.Error(DiagnosticCodes.EnvInvalidSetting, new ConfigLocation(OpenShiftVariables.MacvlanMode), message,
                EnumWords.MacvlanModeHint, message);
            mode = MacvlanMode.Private;
        }
        return (parent, hostNetns, mode);
    }

    private static (OpenShiftRouterMode Mode, string Text) ParseMode(string? text, DiagnosticBag bag)
    {
        // "${EGRESS_ROUTER_MODE:=legacy}": unset or empty means legacy; the case match is exact.
        var mode = text switch
        {
            null or "legacy" => OpenShiftRouterMode.Legacy,
            "init" => OpenShiftRouterMode.Init,
            "http-proxy" => OpenShiftRouterMode.HttpProxy,
            "dns-proxy" => OpenShiftRouterMode.DnsProxy,
            "unit-test" => OpenShiftRouterMode.UnitTest,
            _ => OpenShiftRouterMode.Unknown,
        };
        if (mode == OpenShiftRouterMode.Unknown)
        {
            var message = $"Unrecognized EGRESS_ROUTER_MODE '{text}'";
            bag.Error(DiagnosticCodes.EnvUnknownRouterMode, new ConfigLocation(OpenShiftVariables.Mode), message,
                "use init, legacy, http-proxy, dns-proxy or unit-test", message);
        }
        return (mode, text ?? "legacy");
    }

    private sealed record DestinationText(string Text, string Location);

    private static DestinationText? ReadDestinationText(IReadOnlyDictionary<string, string> environment, string? fileContent, DiagnosticBag bag)
    {
        var inline = Get(environment, OpenShiftVariables.Destination);
        var filePath = Get(environment, OpenShiftVariables.DestinationFile);
        if (inline is not null && filePath is not null)
        {
            var message = $"{OpenShiftVariables.Destination} and {OpenShiftVariables.DestinationFile} are both set";
            bag.Error(DiagnosticCodes.EnvDestinationConflict, new ConfigLocation(OpenShiftVariables.DestinationFile), message,
                "set only one of them", message);
            return null;
        }
        if (filePath is not null)
        {
            if (fileContent is null)
            {
                var message = $"{OpenShiftVariables.DestinationFile} '{filePath}' could not be read";
                bag.Error(DiagnosticCodes.EnvDestinationFileUnreadable, new ConfigLocation(OpenShiftVariables.DestinationFile), message,
                    "check that the ConfigMap is mounted at that path", message);
                return null;
            }
            inline = fileContent.Length > 0 ? fileContent : null;
        }
        if (inline is null)
        {
            bag.Error(DiagnosticCodes.EnvDestinationUnspecified, new ConfigLocation(filePath ?? OpenShiftVariables.Destination),
                "no destination is given",
                "set EGRESS_DESTINATION to lines of 'PORT PROTO IP [PORT]' and/or a last fallback 'IP'",
                "EGRESS_DESTINATION unspecified");
            return null;
        }
        return new DestinationText(inline, filePath ?? OpenShiftVariables.Destination);
    }

    private static void ParseDestination(string text, string locationName, List<OpenShiftDestinationLine> lines, DiagnosticBag bag, SourceMap sourceMap)
    {
        var usedPorts = new Dictionary<int, int>();
        int? fallbackLine = null;
        var reportedFallbackNotLast = false;
        foreach (var (lineNumber, line) in ReadLines(text))
        {
            if (IsBlankOrComment(line))
            {
                continue;
            }
            var location = new ConfigLocation(locationName, lineNumber);
            string? scriptError = null;
            if (fallbackLine is { } fallbackAt && !reportedFallbackNotLast)
            {
                // The script checks this before looking at the line itself; we report it once, then keep checking.
                reportedFallbackNotLast = true;
                scriptError = "EGRESS_DESTINATION fallback IP must be the last line";
                bag.Error(DiagnosticCodes.EnvFallbackNotLast, location,
                    $"line {lineNumber} follows the fallback IP on line {fallbackAt}",
                    "move the lone fallback IP to the end", scriptError);
            }

            var parsed = ParseLine(line, location, bag, ref scriptError, out var echoed);
            if (parsed.Fallback is not null)
            {
                fallbackLine ??= lineNumber;
                sourceMap.Add(parsed.Fallback, location);
            }
            if (parsed.Rule is { } rule)
            {
                sourceMap.Add(rule, location);
                if (parsed.LocalPortValid)
                {
                    var port = rule.LocalPorts.First;
                    if (usedPorts.TryGetValue(port, out var firstLine))
                    {
                        var message = $"EGRESS_DESTINATION localport {port} is already used, must be unique for each destination";
                        scriptError ??= message;
                        bag.Error(DiagnosticCodes.EnvLocalPortReused, location,
                            $"local port {port} is already used on line {firstLine} (each local port once, whatever the protocol)",
                            "pick another local port", message);
                    }
                    else
                    {
                        usedPorts[port] = lineNumber;
                    }
                }
            }
            lines.Add(new OpenShiftDestinationLine(lineNumber, line, parsed.Rule, parsed.Fallback, echoed, scriptError));
        }
    }

    private readonly record struct ParsedLine(RedirectRule? Rule, IPAddress? Fallback, bool LocalPortValid);

    private static ParsedLine ParseLine(string line, ConfigLocation location, DiagnosticBag bag, ref string? scriptError, out string? echoed)
    {
        echoed = null;
        var invalidMessage = $"EGRESS_DESTINATION value '{line}' is invalid";
        // Fields are separated by one or more spaces; a tab inside a field makes that field fail its pattern.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var shapeOk = fields.Length switch
        {
            1 => LooksLikeIPv4(fields[0]),
            3 or 4 => IsDigits(fields[0]) && fields[1] is "tcp" or "udp" && LooksLikeIPv4(fields[2]) && (fields.Length == 3 || IsDigits(fields[3])),
            _ => false,
        };
        if (!shapeOk)
        {
            scriptError ??= invalidMessage;
            bag.Error(DiagnosticCodes.EnvDestinationLineInvalid, location, $"'{Printable(line)}' is not 'PORT PROTO IP', 'PORT PROTO IP PORT' or a lone 'IP'",
                LineHint(line, fields), invalidMessage);
            return default;
        }

        var addressText = fields.Length == 1 ? fields[0] : fields[2];
        if (!AddressText.TryParseIPv4(addressText, out var address))
        {
            // Stricter than the script, which takes any run of digits as an octet.
            scriptError ??= invalidMessage;
            bag.Error(DiagnosticCodes.EnvDestinationLineInvalid, location, $"'{addressText}' is not a valid IPv4 address",
                "each octet is a decimal number 0..255 without leading zeros", invalidMessage);
            return default;
        }
        if (Validation.SpecialAddresses.NeverRoutable(address) is { } kind)
        {
            scriptError ??= invalidMessage;
            bag.Error(DiagnosticCodes.SpecialDestination, location, $"{addressText} is a {kind} address: the router cannot forward to it",
                "use the real destination's unicast address", invalidMessage);
            return default;
        }
        if (Validation.SpecialAddresses.IsLinkLocal(address))
        {
            // The variables have no opt-in: link-local destinations (a cloud metadata service) need the native config.
            scriptError ??= invalidMessage;
            bag.Error(DiagnosticCodes.LinkLocalDestination, location, $"{addressText} is link-local (169.254.0.0/16, e.g. a cloud metadata service)",
                "if that is really meant, use the native configuration with settings.allowLinkLocalDestinations: true", invalidMessage);
            return default;
        }
        if (fields.Length == 1)
        {
            echoed = scriptError is null ? OpenShiftScriptRules.Fallback(fields[0]) : null;
            return new ParsedLine(null, address, false);
        }

        var protocol = fields[1] == "tcp" ? Protocol.Tcp : Protocol.Udp;
        PortRange? target = null;
        var targetValid = true;
        if (fields.Length == 4)
        {
            // The script checks the remote port first, and before printing the rule.
            targetValid = CheckPort(fields[3], location, bag, ref scriptError, out var targetPort);
            target = targetValid ? PortRange.Single(targetPort) : null;
        }
        echoed = scriptError is null ? OpenShiftScriptRules.Dnat(fields[1], fields[0], fields[2], fields.Length == 4 ? fields[3] : null) : null;
        // Then it prints the rule, then checks the local port.
        var localValid = CheckPort(fields[0], location, bag, ref scriptError, out var localPort);
        if (!localValid || !targetValid)
        {
            return new ParsedLine(null, null, false);
        }
        return new ParsedLine(new RedirectRule(protocol, PortRange.Single(localPort), address, target, null), null, true);
    }

    private static bool CheckPort(string digits, ConfigLocation location, DiagnosticBag bag, ref string? scriptError, out int port)
    {
        var significant = digits.TrimStart('0');
        port = 0;
        if (significant.Length is > 0 and <= 5 && int.Parse(significant, System.Globalization.CultureInfo.InvariantCulture) is var value and <= 65535)
        {
            port = value;
            return true;
        }
        var message = $"Invalid port: {digits}, must be in the range 1 to 65535";
        scriptError ??= message;
        bag.Error(DiagnosticCodes.EnvPortOutOfRange, location, $"port {digits} is outside 1..65535", null, message);
        return false;
    }

    private static string? LineHint(string line, string[] fields)
    {
        if (line.Contains('\t'))
        {
            return "separate fields with spaces, not tabs";
        }
        if (line.EndsWith('\r'))
        {
            return "the line ends with a carriage return: save the file with Unix (LF) line ends";
        }
        if (line.Contains('#'))
        {
            return "comments must be on their own line";
        }
        if (fields.Length is 3 or 4 && fields[1] is not ("tcp" or "udp"))
        {
            return fields[1] is "TCP" or "UDP"
                ? $"write the protocol in lower case: {fields[1].ToLowerInvariant()}"
                : "the protocol is tcp or udp (lower case)";
        }
        return "write 'PORT PROTO IP', 'PORT PROTO IP PORT' or a lone fallback 'IP'";
    }

    // Bash's [[:digit:]]+\.[[:digit:]]+\.[[:digit:]]+\.[[:digit:]]+
    private static bool LooksLikeIPv4(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(IsDigits);
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    // "^([[:space:]]*$|#.*)$" on the trimmed line.
    private static bool IsBlankOrComment(string line) =>
        line.StartsWith('#') || line.All(c => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f');

    /// <summary>
    /// Splits the text the way <c>while read dest</c> does: a backslash escapes the next character
    /// (a backslash-newline joins lines), and leading and trailing spaces and tabs are removed.
    /// </summary>
    internal static IEnumerable<(int LineNumber, string Text)> ReadLines(string text)
    {
        var current = new StringBuilder();
        var physicalLine = 1;
        var startLine = 1;
        // Trailing white space is trimmed only if it was not escaped.
        var protectedLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                var next = text[++i];
                if (next == '\n')
                {
                    physicalLine++;
                    continue;
                }
                current.Append(next);
                protectedLength = current.Length;
                continue;
            }
            if (c == '\\')
            {
                continue;
            }
            if (c == '\n')
            {
                yield return (startLine, Trim(current, protectedLength));
                current.Clear();
                protectedLength = 0;
                physicalLine++;
                startLine = physicalLine;
                continue;
            }
            if (current.Length == 0 && c is ' ' or '\t')
            {
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0)
        {
            yield return (startLine, Trim(current, protectedLength));
        }
    }

    private static string Trim(StringBuilder line, int protectedLength)
    {
        var end = line.Length;
        while (end > protectedLength && line[end - 1] is ' ' or '\t')
        {
            end--;
        }
        return line.ToString(0, end);
    }

    private static string Printable(string text) =>
        text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
