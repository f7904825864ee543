namespace RedirectRouter.Core.Diagnostics;

/// <summary>
/// The stable diagnostic codes. RR1xxx: OpenShift environment variables (each maps to an egress-router.sh
/// message); RR2xxx: syntax of a value or file; RR3xxx: meaning (cross-field checks). The table in
/// docs/config.md lists them all; a test keeps it in step with <see cref="All"/>.
/// </summary>
public static class DiagnosticCodes
{
    /// <summary>EGRESS_SOURCE is missing or not an IPv4 address with an optional prefix.</summary>
    public const string EnvSourceInvalid = "RR1001";
    /// <summary>EGRESS_GATEWAY is missing or not an IPv4 address.</summary>
    public const string EnvGatewayInvalid = "RR1002";
    /// <summary>Neither EGRESS_DESTINATION nor EGRESS_DESTINATION_FILE gives any destination.</summary>
    public const string EnvDestinationUnspecified = "RR1003";
    /// <summary>An EGRESS_DESTINATION line matches none of the three forms.</summary>
    public const string EnvDestinationLineInvalid = "RR1004";
    /// <summary>A line follows the fallback IP.</summary>
    public const string EnvFallbackNotLast = "RR1005";
    /// <summary>A port outside 1..65535 in EGRESS_DESTINATION.</summary>
    public const string EnvPortOutOfRange = "RR1006";
    /// <summary>A local port used twice in EGRESS_DESTINATION (whatever the protocol).</summary>
    public const string EnvLocalPortReused = "RR1007";
    /// <summary>EGRESS_ROUTER_MODE is not one of init, legacy, http-proxy, dns-proxy, unit-test.</summary>
    public const string EnvUnknownRouterMode = "RR1008";
    /// <summary>Both EGRESS_DESTINATION and EGRESS_DESTINATION_FILE are set.</summary>
    public const string EnvDestinationConflict = "RR1009";
    /// <summary>EGRESS_DESTINATION_FILE is set but its content could not be read.</summary>
    public const string EnvDestinationFileUnreadable = "RR1010";
    /// <summary>EGRESS_ROUTER_PARENT, EGRESS_ROUTER_HOST_NETNS or EGRESS_ROUTER_MACVLAN_MODE is invalid.</summary>
    public const string EnvInvalidSetting = "RR1011";

    /// <summary>The file is not well-formed YAML or JSON.</summary>
    public const string Syntax = "RR2001";
    /// <summary>A key the schema does not know.</summary>
    public const string UnknownKey = "RR2002";
    /// <summary>A malformed or out-of-range IP address.</summary>
    public const string InvalidAddress = "RR2003";
    /// <summary>A bad prefix length, or a route destination with host bits set.</summary>
    public const string InvalidPrefix = "RR2004";
    /// <summary>A port that is not a number in 1..65535, or a malformed range.</summary>
    public const string InvalidPort = "RR2005";
    /// <summary>A port range whose first port is above its last.</summary>
    public const string ReversedPortRange = "RR2006";
    /// <summary>A protocol other than tcp, udp or sctp.</summary>
    public const string UnknownProtocol = "RR2007";
    /// <summary>A value of the wrong kind (a list where a mapping is expected, and so on).</summary>
    public const string WrongType = "RR2008";
    /// <summary>A required key is missing.</summary>
    public const string MissingKey = "RR2009";
    /// <summary>A value outside its set of allowed words (mode, backend, kind...).</summary>
    public const string InvalidValue = "RR2010";
    /// <summary>An interface name outside the name rule (1 to 15 characters of A-Z a-z 0-9 _ . -, not "." or "..").</summary>
    public const string InvalidInterfaceName = "RR2011";
    /// <summary>The same key twice in one mapping.</summary>
    public const string DuplicateKey = "RR2012";
    /// <summary>A number outside its range (MTU, metric, weight, announce count).</summary>
    public const string NumberOutOfRange = "RR2013";
    /// <summary>More than one YAML document in the file.</summary>
    public const string MultipleDocuments = "RR2014";
    /// <summary>A home name outside the name rule (1 to 15 characters of A-Z a-z 0-9 _ . -).</summary>
    public const string InvalidHomeName = "RR2015";

    /// <summary>Nothing to do: no home, or no rule and no fallback.</summary>
    public const string EmptyConfig = "RR3001";
    /// <summary>A target port range whose width differs from the local range.</summary>
    public const string PortWidthMismatch = "RR3002";
    /// <summary>The same local port and protocol in two rules.</summary>
    public const string DuplicateLocalPort = "RR3003";
    /// <summary>Two local port ranges of one protocol overlap.</summary>
    public const string OverlappingPortRange = "RR3004";
    /// <summary>A rule names a home that does not exist.</summary>
    public const string UnknownHome = "RR3005";
    /// <summary>The same egress address on two homes (or twice on one).</summary>
    public const string DuplicateEgressAddress = "RR3006";
    /// <summary>A gateway outside every subnet of its home, not marked on-link.</summary>
    public const string GatewayNotOnLink = "RR3007";
    /// <summary>A destination inside the egress subnet: it is reached directly, not via the gateway (warning).</summary>
    public const string DestinationInEgressSubnet = "RR3008";
    /// <summary>IPv4 and IPv6 mixed where one family is needed (rule vs home, route vs next hop, fallback).</summary>
    public const string FamilyMismatch = "RR3009";
    /// <summary>Two homes with the same name.</summary>
    public const string DuplicateHomeName = "RR3010";
    /// <summary>Two homes with the same interface name.</summary>
    public const string DuplicateInterfaceName = "RR3011";
    /// <summary>A home without any egress address.</summary>
    public const string HomeWithoutAddress = "RR3012";
    /// <summary>More than one gateway of one family on a home.</summary>
    public const string TooManyGateways = "RR3013";
    /// <summary>An EgressRouter resource whose spec.mode is not Redirect.</summary>
    public const string UnsupportedMode = "RR3014";
    /// <summary>The same route destination and metric twice in one home.</summary>
    public const string DuplicateRoute = "RR3015";
    /// <summary>Keys that cannot be used together (adopt with parent or mode, for instance).</summary>
    public const string ConflictingKeys = "RR3016";
    /// <summary>A destination or fallback that is loopback, unspecified, multicast or broadcast.</summary>
    public const string SpecialDestination = "RR3030";
    /// <summary>A link-local destination or fallback without settings.allowLinkLocalDestinations.</summary>
    public const string LinkLocalDestination = "RR3031";
    /// <summary>An egress (SNAT) address that is unspecified, loopback, multicast or broadcast, or has a /0 prefix.</summary>
    public const string InvalidEgressSource = "RR3032";
    /// <summary>A TCP rule whose local port or range covers the metrics port.</summary>
    public const string RuleCoversMetricsPort = "RR3033";

    // RR31xx: an EgressRouter resource that OpenShift accepts and runs although part of it has no effect
    // there; it is read with OpenShift's meaning and the part is named in a warning.

    /// <summary>A redirect rule with the port and protocol of an earlier one: the first rule wins (warning).</summary>
    public const string RedirectRuleShadowed = "RR3101";
    /// <summary>A second address whose gateway differs from the first one of its family: the first gateway is used (warning).</summary>
    public const string GatewayIgnored = "RR3102";
    /// <summary>spec.redirect with no rule and no fallback: the router forwards nothing (warning).</summary>
    public const string NothingRedirected = "RR3103";
    /// <summary>A List holding one EgressRouter (as <c>oc get egressrouter -o yaml</c> prints it): the item is read (warning).</summary>
    public const string ListWrapper = "RR3104";
    /// <summary>The same address twice in spec.addresses: it is assigned once (warning).</summary>
    public const string AddressRepeated = "RR3105";

    /// <summary>Every code with its severity and a one-line summary (the docs table is checked against this).</summary>
    public static IReadOnlyList<(string Code, DiagnosticSeverity Severity, string Summary)> All { get; } =
    [
        (EnvSourceInvalid, DiagnosticSeverity.Error, "EGRESS_SOURCE is missing or not an IPv4 address with an optional prefix"),
        (EnvGatewayInvalid, DiagnosticSeverity.Error, "EGRESS_GATEWAY is missing or not an IPv4 address"),
        (EnvDestinationUnspecified, DiagnosticSeverity.Error, "no EGRESS_DESTINATION (nor EGRESS_DESTINATION_FILE)"),
        (EnvDestinationLineInvalid, DiagnosticSeverity.Error, "an EGRESS_DESTINATION line matches none of the three forms"),
        (EnvFallbackNotLast, DiagnosticSeverity.Error, "a line follows the fallback IP"),
        (EnvPortOutOfRange, DiagnosticSeverity.Error, "a port outside 1..65535 in EGRESS_DESTINATION"),
        (EnvLocalPortReused, DiagnosticSeverity.Error, "a local port used twice in EGRESS_DESTINATION, whatever the protocol"),
        (EnvUnknownRouterMode, DiagnosticSeverity.Error, "EGRESS_ROUTER_MODE is not init, legacy, http-proxy, dns-proxy or unit-test"),
        (EnvDestinationConflict, DiagnosticSeverity.Error, "both EGRESS_DESTINATION and EGRESS_DESTINATION_FILE are set"),
        (EnvDestinationFileUnreadable, DiagnosticSeverity.Error, "EGRESS_DESTINATION_FILE could not be read"),
        (EnvInvalidSetting, DiagnosticSeverity.Error, "EGRESS_ROUTER_PARENT, EGRESS_ROUTER_HOST_NETNS or EGRESS_ROUTER_MACVLAN_MODE is invalid"),
        (Syntax, DiagnosticSeverity.Error, "the file is not well-formed YAML or JSON"),
        (UnknownKey, DiagnosticSeverity.Error, "a key the schema does not know (the nearest known key is suggested)"),
        (InvalidAddress, DiagnosticSeverity.Error, "a malformed or out-of-range IP address"),
        (InvalidPrefix, DiagnosticSeverity.Error, "a bad prefix length, or a route destination with host bits set"),
        (InvalidPort, DiagnosticSeverity.Error, "a port that is not a number in 1..65535, or a malformed range"),
        (ReversedPortRange, DiagnosticSeverity.Error, "a port range whose first port is above its last"),
        (UnknownProtocol, DiagnosticSeverity.Error, "a protocol other than tcp, udp or sctp"),
        (WrongType, DiagnosticSeverity.Error, "a value of the wrong kind (list, mapping, text, number)"),
        (MissingKey, DiagnosticSeverity.Error, "a required key is missing"),
        (InvalidValue, DiagnosticSeverity.Error, "a value outside its allowed words (mode, backend, kind, ...)"),
        (InvalidInterfaceName, DiagnosticSeverity.Error, "an interface name outside the name rule: 1 to 15 characters of A-Z a-z 0-9 _ . -, not . or .."),
        (DuplicateKey, DiagnosticSeverity.Error, "the same key twice in one mapping"),
        (NumberOutOfRange, DiagnosticSeverity.Error, "a number outside its range (MTU, metric, weight, announce count)"),
        (MultipleDocuments, DiagnosticSeverity.Error, "more than one YAML document in the file"),
        (InvalidHomeName, DiagnosticSeverity.Error, "a home name outside the name rule (the same rule as interface names)"),
        (EmptyConfig, DiagnosticSeverity.Error, "nothing to do: no home, or no rule and no fallback"),
        (PortWidthMismatch, DiagnosticSeverity.Error, "a target port range whose width differs from the local range"),
        (DuplicateLocalPort, DiagnosticSeverity.Error, "the same local port and protocol in two rules"),
        (OverlappingPortRange, DiagnosticSeverity.Error, "two local port ranges of one protocol overlap"),
        (UnknownHome, DiagnosticSeverity.Error, "a rule names a home that does not exist"),
        (DuplicateEgressAddress, DiagnosticSeverity.Error, "the same egress address on two homes (or twice on one)"),
        (GatewayNotOnLink, DiagnosticSeverity.Error, "a gateway outside every subnet of its home, not marked on-link"),
        (DestinationInEgressSubnet, DiagnosticSeverity.Warning, "a destination inside the egress subnet is reached directly, not via the gateway"),
        (FamilyMismatch, DiagnosticSeverity.Error, "IPv4 and IPv6 mixed where one family is needed"),
        (DuplicateHomeName, DiagnosticSeverity.Error, "two homes with the same name"),
        (DuplicateInterfaceName, DiagnosticSeverity.Error, "two homes with the same interface name"),
        (HomeWithoutAddress, DiagnosticSeverity.Error, "a home without any egress address"),
        (TooManyGateways, DiagnosticSeverity.Error, "more than one gateway of one family on a home"),
        (UnsupportedMode, DiagnosticSeverity.Error, "an EgressRouter whose spec.mode is not Redirect"),
        (DuplicateRoute, DiagnosticSeverity.Error, "the same route destination and metric twice in one home"),
        (ConflictingKeys, DiagnosticSeverity.Error, "keys that cannot be used together (adopt with parent or mode)"),
        (RedirectRuleShadowed, DiagnosticSeverity.Warning, "an EgressRouter rule with the port and protocol of an earlier one: the first wins"),
        (GatewayIgnored, DiagnosticSeverity.Warning, "an EgressRouter address whose gateway differs from the first one of its family: the first is used"),
        (NothingRedirected, DiagnosticSeverity.Warning, "an EgressRouter whose spec.redirect has no rule and no fallback: nothing is forwarded"),
        (ListWrapper, DiagnosticSeverity.Warning, "a List holding one EgressRouter: the item is read"),
        (AddressRepeated, DiagnosticSeverity.Warning, "the same address twice in an EgressRouter's spec.addresses: it is assigned once"),
        (SpecialDestination, DiagnosticSeverity.Error, "a destination or fallback that is loopback, unspecified, multicast or broadcast"),
        (LinkLocalDestination, DiagnosticSeverity.Error, "a link-local destination or fallback (169.254.0.0/16, fe80::/10) without settings.allowLinkLocalDestinations"),
        (InvalidEgressSource, DiagnosticSeverity.Error, "an egress address that is unspecified, loopback, multicast or broadcast, or a /0"),
        (RuleCoversMetricsPort, DiagnosticSeverity.Error, "a TCP rule whose local port or range covers the metrics port"),
    ];
}
