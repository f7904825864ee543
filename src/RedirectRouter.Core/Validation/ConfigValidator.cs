using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Validation;

/// <summary>
/// Checks the meaning of a parsed configuration (names, families, reachability, port clashes).
/// Syntax was checked by the parsers; parts they dropped are marked incomplete in the
/// <see cref="SourceMap"/> and the checks that depend on them stay quiet rather than invent errors.
/// </summary>
public static class ConfigValidator
{
    /// <summary>Returns every finding about <paramref name="config"/>.</summary>
    public static IReadOnlyList<ConfigDiagnostic> Validate(RouterConfig config, ConfigFormat format, SourceMap map)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(map);
        var bag = new DiagnosticBag();
        var homesComplete = !map.IsIncomplete(map.ConfigScope, "homes");
        CheckEmpty(config, format, map, bag, homesComplete);
        CheckHomes(config, map, bag);
        CheckRules(config, format, map, bag, homesComplete);
        CheckFallback(config, map, bag, homesComplete);
        AddressRules.Check(config, format, map, bag);
        return bag.Items;
    }

    private static void CheckEmpty(RouterConfig config, ConfigFormat format, SourceMap map, DiagnosticBag bag, bool homesComplete)
    {
        // The script accepts an EGRESS_DESTINATION of comments only (it then only SNATs); so do we.
        if (format == ConfigFormat.OpenShiftEnvironment)
        {
            return;
        }
        if (config.Homes.Count == 0 && homesComplete)
        {
            bag.Error(DiagnosticCodes.EmptyConfig, map.Root with { KeyPath = format == ConfigFormat.Native ? "homes" : "spec.addresses" },
                "no home: there is no interface to send traffic out of",
                format == ConfigFormat.Native ? "add a home with a parent NIC, an address and a gateway" : "add spec.addresses");
        }
        // An EgressRouter with an empty spec.redirect is accepted and run by OpenShift: its parser warns instead.
        if (format == ConfigFormat.Native && config.Rules.Count == 0 && !config.Fallback.All.Any()
            && !map.IsIncomplete(map.ConfigScope, "rules") && !map.IsIncomplete(map.ConfigScope, "fallback"))
        {
            bag.Error(DiagnosticCodes.EmptyConfig, map.Root with { KeyPath = "rules" },
                "nothing to redirect: no rule and no fallback", "add rules, or a fallback destination");
        }
    }

    private static void CheckHomes(RouterConfig config, SourceMap map, DiagnosticBag bag)
    {
        var names = new Dictionary<string, Home>(StringComparer.Ordinal);
        var interfaces = new Dictionary<string, Home>(StringComparer.Ordinal);
        var egress = new Dictionary<IPAddress, InterfaceAddress>();
        foreach (var home in config.Homes)
        {
            if (!names.TryAdd(home.Name, home))
            {
                bag.Error(DiagnosticCodes.DuplicateHomeName, map.Of(home, "name"), $"home name '{home.Name}' is used twice (first at {map.Of(names[home.Name]).KeyPath ?? "?"})",
                    "give each home its own name");
            }
            if (!map.IsIncomplete(home, "interface") && home.InterfaceName.Length > 0 && !interfaces.TryAdd(home.InterfaceName, home))
            {
                bag.Error(DiagnosticCodes.DuplicateInterfaceName, map.Of(home, "interface"),
                    $"interface '{home.InterfaceName}' is used by two homes ('{interfaces[home.InterfaceName].Name}' and '{home.Name}')",
                    "give each home its own 'interface' name");
            }
            var addressesComplete = !map.IsIncomplete(home, "addresses");
            if (home.Addresses.Count == 0 && addressesComplete)
            {
                bag.Error(DiagnosticCodes.HomeWithoutAddress, map.Of(home), $"home '{home.Name}' has no address: nothing to SNAT to",
                    "add addresses, e.g. addresses: [192.0.2.10/24]");
            }
            foreach (var address in home.Addresses)
            {
                if (!egress.TryAdd(address.Address, address))
                {
                    bag.Error(DiagnosticCodes.DuplicateEgressAddress, map.Of(address),
                        $"egress address {address.Address} is already used at {map.Of(egress[address.Address]).KeyPath}",
                        "an egress address belongs to exactly one home");
                }
            }
            CheckGateways(home, map, bag, addressesComplete);
            CheckRoutes(home, map, bag, addressesComplete);
        }
    }

    private static void CheckGateways(Home home, SourceMap map, DiagnosticBag bag, bool addressesComplete)
    {
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var ofFamily = home.Gateways.Where(g => g.AddressFamily == family).ToList();
            foreach (var extra in ofFamily.Skip(1))
            {
                bag.Error(DiagnosticCodes.TooManyGateways, map.Of(extra),
                    $"home '{home.Name}' has more than one {FamilyName(family)} gateway",
                    "keep one gateway per family; for ECMP use a route with several 'via' next hops");
            }
        }
        foreach (var gateway in home.Gateways)
        {
            if (!addressesComplete)
            {
                continue;
            }
            if (home.SourceFor(gateway.AddressFamily) is null)
            {
                bag.Error(DiagnosticCodes.FamilyMismatch, map.Of(gateway),
                    $"gateway {gateway} is {FamilyName(gateway.AddressFamily)} but home '{home.Name}' has no {FamilyName(gateway.AddressFamily)} address",
                    $"add an {FamilyName(gateway.AddressFamily)} address to the home, or remove the gateway");
            }
            else if (!home.GatewayOnLink && !OnLink(home, gateway))
            {
                bag.Error(DiagnosticCodes.GatewayNotOnLink, map.Of(gateway),
                    $"gateway {gateway} is outside every subnet of home '{home.Name}' ({string.Join(", ", home.Addresses.Where(a => a.Family == gateway.AddressFamily).Select(a => a.Subnet))})",
                    "give the address its real prefix length (e.g. /24), or set onLink: true if the gateway answers on the link anyway");
            }
        }
    }

    private static void CheckRoutes(Home home, SourceMap map, DiagnosticBag bag, bool addressesComplete)
    {
        var seen = new Dictionary<(IPNetwork, int?), RouteSpec>();
        foreach (var route in home.Routes)
        {
            if (!seen.TryAdd((route.Destination, route.Metric), route))
            {
                bag.Error(DiagnosticCodes.DuplicateRoute, map.Of(route),
                    $"route to {route.Destination} (metric {route.Metric?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"}) is given twice in home '{home.Name}'",
                    "merge them into one route with several 'via' next hops (ECMP), or give them different metrics");
            }
            var family = route.Destination.BaseAddress.AddressFamily;
            foreach (var hop in route.NextHops)
            {
                if (hop.Gateway.AddressFamily != family)
                {
                    bag.Error(DiagnosticCodes.FamilyMismatch, map.Of(hop),
                        $"next hop {hop.Gateway} is {FamilyName(hop.Gateway.AddressFamily)} but the route to {route.Destination} is {FamilyName(family)}",
                        "use a next hop of the destination's family");
                }
                else if (addressesComplete && !home.GatewayOnLink && !OnLink(home, hop.Gateway))
                {
                    bag.Error(DiagnosticCodes.GatewayNotOnLink, map.Of(hop),
                        $"next hop {hop.Gateway} is outside every subnet of home '{home.Name}'",
                        "use a router on the home's subnet, or set onLink: true");
                }
            }
        }
    }

    private static void CheckRules(RouterConfig config, ConfigFormat format, SourceMap map, DiagnosticBag bag, bool homesComplete)
    {
        var earlier = new List<RedirectRule>();
        foreach (var rule in config.Rules)
        {
            if (rule.TargetPorts is { IsSinglePort: false } target && target.Width != rule.LocalPorts.Width)
            {
                bag.Error(DiagnosticCodes.PortWidthMismatch, map.Of(rule, "targetPort"),
                    $"target ports {target} ({target.Width} ports) do not match local ports {rule.LocalPorts} ({rule.LocalPorts.Width} ports)",
                    $"give a range of {rule.LocalPorts.Width} ports, or a single target port");
            }

            // The OpenShift parser already checked local ports with the script's rule (unique whatever the protocol).
            if (format != ConfigFormat.OpenShiftEnvironment
                && earlier.FirstOrDefault(e => e.Protocol == rule.Protocol && e.LocalPorts.Overlaps(rule.LocalPorts)) is { } clash)
            {
                var bothSingle = clash.LocalPorts.IsSinglePort && rule.LocalPorts.IsSinglePort;
                bag.Error(bothSingle ? DiagnosticCodes.DuplicateLocalPort : DiagnosticCodes.OverlappingPortRange, map.Of(rule, "port"),
                    bothSingle
                        ? $"local port {rule.LocalPorts} ({rule.Protocol.ToString().ToLowerInvariant()}) is already used at {map.Of(clash).KeyPath}"
                        : $"local ports {rule.LocalPorts} ({rule.Protocol.ToString().ToLowerInvariant()}) overlap {clash.LocalPorts} at {map.Of(clash).KeyPath}",
                    "each local port of a protocol goes to one destination");
            }
            earlier.Add(rule);

            if (!homesComplete)
            {
                continue;
            }
            var home = HomeSelector.Select(config, rule.Destination, rule.Home);
            if (home is null)
            {
                if (rule.Home is not null)
                {
                    var nearest = Parsing.Documents.KeySuggester.Nearest(rule.Home, config.Homes.Select(h => h.Name));
                    bag.Error(DiagnosticCodes.UnknownHome, map.Of(rule, "home"), $"there is no home named '{rule.Home}'",
                        nearest is not null ? $"did you mean '{nearest}'?" : $"homes: {string.Join(", ", config.Homes.Select(h => h.Name))}");
                }
                continue;
            }
            CheckDestination(home, rule.Destination, map.Of(rule, "destination"), map, bag);
        }
    }

    private static void CheckFallback(RouterConfig config, SourceMap map, DiagnosticBag bag, bool homesComplete)
    {
        if (!homesComplete)
        {
            return;
        }
        foreach (var fallback in config.Fallback.All)
        {
            if (HomeSelector.Select(config, fallback, null) is { } home)
            {
                CheckDestination(home, fallback, map.Of(fallback), map, bag);
            }
        }
    }

    private static void CheckDestination(Home home, IPAddress destination, ConfigLocation location, SourceMap map, DiagnosticBag bag)
    {
        if (map.IsIncomplete(home, "addresses"))
        {
            return;
        }
        if (home.SourceFor(destination.AddressFamily) is null)
        {
            if (home.Addresses.Count > 0)
            {
                bag.Error(DiagnosticCodes.FamilyMismatch, location,
                    $"destination {destination} is {FamilyName(destination.AddressFamily)} but home '{home.Name}' has no {FamilyName(destination.AddressFamily)} address to send it from",
                    $"add an {FamilyName(destination.AddressFamily)} address to home '{home.Name}', or send the rule by another home");
            }
            return;
        }
        var subnet = home.Addresses.FirstOrDefault(a => a.Family == destination.AddressFamily
            && a.PrefixLength < AddressText.MaxPrefix(a.Family) && a.Subnet.Contains(destination));
        if (subnet is not null)
        {
            bag.Warning(DiagnosticCodes.DestinationInEgressSubnet, location,
                $"destination {destination} is inside the egress subnet {subnet.Subnet}: it is reached directly on the link, not via the gateway",
                "that is fine if the destination really is on that link; otherwise check the prefix length");
        }
    }

    private static bool OnLink(Home home, IPAddress gateway) =>
        home.Addresses.Any(a => a.Family == gateway.AddressFamily && a.Subnet.Contains(gateway) && !a.Address.Equals(gateway));

    private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
