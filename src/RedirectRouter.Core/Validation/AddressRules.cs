using System.Globalization;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Validation;

/// <summary>
/// Checks that the router is not asked to forward where no router should: special destinations and
/// sources, link-local destinations without the opt-in, and rules that would take the metrics port.
/// The OpenShift parser applies the same address rules itself, with the script's messages.
/// </summary>
internal static class AddressRules
{
    public static void Check(RouterConfig config, ConfigFormat format, SourceMap map, DiagnosticBag bag)
    {
        if (format != ConfigFormat.OpenShiftEnvironment)
        {
            CheckSources(config, map, bag);
            foreach (var rule in config.Rules)
            {
                CheckDestination(rule.Destination, "destination", map.Of(rule, "destination"), config.Settings, bag);
            }
            foreach (var fallback in config.Fallback.All)
            {
                CheckDestination(fallback, "fallback", map.Of(fallback), config.Settings, bag);
            }
        }
        CheckMetricsPort(config, map, bag);
    }

    private static void CheckSources(RouterConfig config, SourceMap map, DiagnosticBag bag)
    {
        foreach (var home in config.Homes)
        {
            foreach (var address in home.Addresses)
            {
                var problem = SpecialAddresses.NeverRoutable(address.Address) is { } kind ? $"is a {kind} address"
                    : address.PrefixLength == 0 ? "has a /0 prefix (every address would be on its link)"
                    : null;
                if (problem is not null)
                {
                    bag.Error(DiagnosticCodes.InvalidEgressSource, map.Of(address),
                        $"egress address {address} of home '{home.Name}' {problem}: it cannot be the source the outside sees",
                        "use the egress IP the outside firewalls allow, with the subnet's real prefix, e.g. 192.0.2.10/24");
                }
            }
        }
    }

    private static void CheckDestination(System.Net.IPAddress destination, string what, ConfigLocation location, AgentSettings settings, DiagnosticBag bag)
    {
        if (SpecialAddresses.NeverRoutable(destination) is { } kind)
        {
            bag.Error(DiagnosticCodes.SpecialDestination, location,
                $"{what} {destination} is a {kind} address: the router cannot forward to it",
                "use the real destination's unicast address");
        }
        else if (SpecialAddresses.IsLinkLocal(destination) && !settings.AllowLinkLocalDestinations)
        {
            bag.Error(DiagnosticCodes.LinkLocalDestination, location,
                $"{what} {destination} is link-local (169.254.0.0/16, fe80::/10, e.g. a cloud metadata service)",
                "if that is really meant, set settings.allowLinkLocalDestinations: true");
        }
    }

    // The metrics port is exempt from DNAT (the kubelet probes it), so a rule covering it would silently lose that port.
    private static void CheckMetricsPort(RouterConfig config, SourceMap map, DiagnosticBag bag)
    {
        if (ListenEndpoint.PortOf(config.Settings.MetricsAddress) is not { } port)
        {
            return;
        }
        foreach (var rule in config.Rules.Where(r => r.Protocol == Protocol.Tcp && r.LocalPorts.First <= port && port <= r.LocalPorts.Last))
        {
            bag.Error(DiagnosticCodes.RuleCoversMetricsPort, map.Of(rule, "port"),
                string.Create(CultureInfo.InvariantCulture,
                    $"rule tcp {rule.LocalPorts} -> {rule.Destination} covers the metrics port {port} (settings.metrics {config.Settings.MetricsAddress})"),
                "move the metrics endpoint to a port no rule uses, or narrow the rule's port range");
        }
    }
}
