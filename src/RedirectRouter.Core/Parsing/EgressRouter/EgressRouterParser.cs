using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.Documents;

namespace RedirectRouter.Core.Parsing.EgressRouter;

/// <summary>
/// Reads an OpenShift 4 EgressRouter resource (network.operator.openshift.io/v1) into one home:
/// spec.addresses become its addresses and gateways, spec.redirect its rules and fallback.
/// </summary>
internal static class EgressRouterParser
{
    /// <summary>The only apiVersion the resource has.</summary>
    public const string ApiVersion = "network.operator.openshift.io/v1";

    /// <summary>The name given to the resource's single home.</summary>
    public const string HomeName = "default";

    private static readonly string[] TopKeys = ["apiVersion", "kind", "metadata", "spec", "status"];
    private static readonly string[] SpecKeys = ["mode", "addresses", "redirect", "networkInterface"];
    private static readonly string[] AddressKeys = ["ip", "gateway"];
    private static readonly string[] RedirectKeys = ["redirectRules", "fallbackIP"];
    private static readonly RedirectRuleSchema RuleSchema = new(
        Keys: ["destinationIP", "port", "protocol", "targetPort"],
        DestinationKey: "destinationIP",
        DestinationMissing: "give the real destination, e.g. destinationIP: 10.0.0.99",
        ReadDestination: ReadDestination,
        PortMissing: "give the port clients connect to, e.g. port: 80",
        AllowRanges: false,
        ProtocolHint: "use TCP, UDP or SCTP",
        ProtocolMissing: "give TCP, UDP or SCTP",
        HomeKey: null,
        ProtocolFirst: false);
    private static readonly string[] InterfaceKeys = ["macvlan"];
    private static readonly string[] MacvlanKeys = ["mode", "master"];

    /// <summary>Builds a best-effort model; problems are reported and the parts left out.</summary>
    public static RouterConfig Parse(DocMapping root, DocReader reader, SourceMap map)
    {
        reader.CheckKeys(root, "", TopKeys);
        if (reader.Text(DocReader.Field(root, "", "apiVersion")) is { } api && api != ApiVersion)
        {
            reader.Error(DiagnosticCodes.InvalidValue, DocReader.Field(root, "", "apiVersion"), $"apiVersion '{api}' is not {ApiVersion}", $"use apiVersion: {ApiVersion}");
        }
        var settings = AgentSettings.Default;
        var spec = DocReader.Get(root, "spec") is { } specNode ? reader.Mapping(specNode, "spec") : null;
        if (spec is null)
        {
            if (DocReader.Get(root, "spec") is null)
            {
                reader.Missing(root, "", "spec");
            }
            map.MarkIncomplete(map.ConfigScope, "homes");
            map.MarkIncomplete(map.ConfigScope, "rules");
            return new RouterConfig([], [], FallbackDestinations.None, settings);
        }
        reader.CheckKeys(spec, "spec", SpecKeys);
        if (reader.WasMisspelt(spec, "redirect"))
        {
            map.MarkIncomplete(map.ConfigScope, "rules");
        }
        if (reader.Text(DocReader.Field(spec, "spec", "mode")) is { } mode && mode != "Redirect")
        {
            reader.Error(DiagnosticCodes.UnsupportedMode, DocReader.Field(spec, "spec", "mode"), $"mode '{mode}' is not supported", "the only mode is Redirect");
        }

        var (parent, macvlanMode) = ParseInterface(spec, reader);
        var home = ParseHome(spec, parent, macvlanMode, settings, reader, map);
        var (rules, fallback) = ParseRedirect(spec, reader, map);
        return new RouterConfig([home], rules, fallback, settings);
    }

    private static (string? Parent, MacvlanMode Mode) ParseInterface(DocMapping spec, DocReader reader)
    {
        const string path = "spec.networkInterface";
        if (DocReader.Get(spec, "networkInterface") is not { } node || reader.Mapping(node, path) is not { } mapping)
        {
            return (null, MacvlanMode.Bridge);
        }
        reader.CheckKeys(mapping, path, InterfaceKeys);
        if (DocReader.Get(mapping, "macvlan") is not { } macvlanNode)
        {
            // The default applies only when networkInterface is absent; given, it must say macvlan (the CRD's oneOf).
            reader.Missing(mapping, path, "macvlan", "write networkInterface: {macvlan: {mode: Bridge}}, or leave networkInterface out");
            return (null, MacvlanMode.Bridge);
        }
        if (reader.Mapping(macvlanNode, path + ".macvlan") is not { } macvlan)
        {
            return (null, MacvlanMode.Bridge);
        }
        reader.CheckKeys(macvlan, path + ".macvlan", MacvlanKeys);
        var mode = reader.MacvlanMode(DocReader.Field(macvlan, path + ".macvlan", "mode"), MacvlanMode.Bridge, "use Bridge, Private, VEPA or Passthru");
        var parent = reader.InterfaceName(DocReader.Field(macvlan, path + ".macvlan", "master"));
        return (parent, mode);
    }

    private static Home ParseHome(DocMapping spec, string? parent, MacvlanMode mode, AgentSettings settings, DocReader reader, SourceMap map)
    {
        var addresses = new List<InterfaceAddress>();
        var gateways = new List<IPAddress>();
        var gatewayPaths = new List<string>();
        var located = new List<(object, ConfigLocation)>();
        var incomplete = false;
        if (DocReader.Get(spec, "addresses") is { } addressesNode && reader.StrictList(addressesNode, "spec.addresses") is { } items)
        {
            if (items.Count == 0)
            {
                // The schema takes an empty list, but the operator refuses it ("router without addresses").
                reader.Error(DiagnosticCodes.HomeWithoutAddress, addressesNode, "spec.addresses", "spec.addresses is empty: there is no egress address",
                    "give at least one address: addresses: [{ip: 192.168.12.99/24, gateway: 192.168.12.1}]");
                incomplete = true;
            }
            for (var i = 0; i < items.Count; i++)
            {
                var path = DocReader.Path("spec.addresses", i);
                if (reader.Mapping(items[i], path) is not { } item)
                {
                    incomplete = true;
                    continue;
                }
                reader.CheckKeys(item, path, AddressKeys);
                // The resource says "IP (CIDR)": a bare address is taken as a host address, as the CNI plugin does.
                var ipField = DocReader.Field(item, path, "ip");
                if (reader.InterfaceAddress(ipField, prefixOptional: true, "give the egress address with its prefix, e.g. ip: 192.168.12.99/24") is not { } address)
                {
                    incomplete = true;
                }
                else if (addresses.FirstOrDefault(a => a.Address.Equals(address.Address)) is { } first)
                {
                    // OpenShift assigns only addresses[0], so a repeat changes nothing there; here it is assigned once.
                    reader.Warning(DiagnosticCodes.AddressRepeated, ipField.Node!, ipField.Path,
                        $"address {address.Address} is already given as {first}; it is assigned once", "remove the repeated entry");
                }
                else
                {
                    addresses.Add(address);
                    located.Add((address, reader.At(ipField.Node!, ipField.Path)));
                }
                var gatewayField = DocReader.Field(item, path, "gateway");
                if (reader.Address(gatewayField, "gateway") is { } gateway)
                {
                    // OpenShift routes by addresses[0].gateway alone; here the first gateway of each family is used,
                    // so several addresses on one subnet may each name it, and a different one is left out with a warning.
                    var chosen = gateways.FirstOrDefault(g => g.AddressFamily == gateway.AddressFamily);
                    if (chosen is null)
                    {
                        gateways.Add(gateway);
                        gatewayPaths.Add(reader.At(gatewayField.Node!, gatewayField.Path).KeyPath!);
                        located.Add((gateway, reader.At(gatewayField.Node!, gatewayField.Path)));
                    }
                    else if (!chosen.Equals(gateway))
                    {
                        reader.Warning(DiagnosticCodes.GatewayIgnored, gatewayField.Node!, gatewayField.Path,
                            $"gateway {gateway} is not used: the default route goes via {chosen} ({reader.At(gatewayField.Node!, gatewayPaths[gateways.IndexOf(chosen)]).KeyPath}); the address is still assigned",
                            "give every address of one family the same gateway, or use a native config for routes via other gateways");
                    }
                }
                else if (gatewayField.Node is not null)
                {
                    incomplete = true;
                }
            }
        }
        else if (DocReader.Get(spec, "addresses") is null)
        {
            if (reader.WasMisspelt(spec, "addresses"))
            {
                map.MarkIncomplete(map.ConfigScope, "homes");
            }
            reader.Missing(spec, "spec", "addresses", "give at least one address: addresses: [{ip: 192.168.12.99/24, gateway: 192.168.12.1}]");
            incomplete = true;
        }
        else
        {
            incomplete = true;
        }

        var home = new Home(HomeName, settings.InterfaceName, parent, LinkOrigin.Create, mode, null,
            addresses.ToValueList(), gateways.ToValueList(),
            // egress-router-cni adds a host route to the gateway on the macvlan, so it is on-link.
            GatewayOnLink: true, ValueList<RouteSpec>.Empty);
        map.Add(home, reader.At(spec, "spec"));
        foreach (var (item, location) in located)
        {
            map.Add(item, location);
        }
        if (incomplete)
        {
            map.MarkIncomplete(home, "addresses");
            map.MarkIncomplete(home, "gateways");
        }
        return home;
    }

    private static (ValueList<RedirectRule> Rules, FallbackDestinations Fallback) ParseRedirect(DocMapping spec, DocReader reader, SourceMap map)
    {
        // The CRD requires redirect in mode Redirect (its oneOf); redirect: {} is allowed.
        var redirectField = DocReader.Field(spec, "spec", "redirect");
        if (reader.Mapping(redirectField, "add spec.redirect with redirectRules and/or fallbackIP") is not { } redirect)
        {
            map.MarkIncomplete(map.ConfigScope, "rules");
            return ([], FallbackDestinations.None);
        }
        reader.CheckKeys(redirect, "spec.redirect", RedirectKeys);
        if (reader.WasMisspelt(redirect, "redirectRules"))
        {
            map.MarkIncomplete(map.ConfigScope, "rules");
        }
        if (reader.WasMisspelt(redirect, "fallbackIP"))
        {
            map.MarkIncomplete(map.ConfigScope, "fallback");
        }
        var rules = reader.List(DocReader.Field(redirect, "spec.redirect", "redirectRules"), (item, path) => RedirectRuleReader.Read(item, path, RuleSchema, reader, map),
            // A redirectRules that is not a list leaves the rules complete (so the "nothing is forwarded" warning still speaks).
            incomplete: () => map.MarkIncomplete(map.ConfigScope, "rules"), notListIncomplete: false,
            keep: (rule, earlier, item, path) =>
            {
                // The operator renders every rule in order and the first DNAT that matches wins, so a repeat never applies.
                if (earlier.FirstOrDefault(r => r.Protocol == rule.Protocol && r.LocalPorts == rule.LocalPorts) is not { } first)
                {
                    return true;
                }
                reader.Warning(DiagnosticCodes.RedirectRuleShadowed, ((DocMapping)item)["port"]!, DocReader.Path(path, "port"),
                    $"port {rule.LocalPorts} ({rule.Protocol.ToString().ToUpperInvariant()}) is already redirected by {map.Of(first).KeyPath}: this rule never applies, the first one wins",
                    "remove this rule, or give it another port");
                return false;
            });
        var fallback = FallbackDestinations.None;
        var fallbackField = DocReader.Field(redirect, "spec.redirect", "fallbackIP");
        if (reader.Address(fallbackField, "fallback") is { } address)
        {
            map.Add(address, reader.At(fallbackField.Node!, fallbackField.Path));
            fallback = address.AddressFamily == AddressFamily.InterNetwork ? new(address, null) : new(null, address);
        }
        else if (fallbackField.Node is not null)
        {
            map.MarkIncomplete(map.ConfigScope, "fallback");
        }
        if (rules.Count == 0 && fallback == FallbackDestinations.None && !map.IsIncomplete(map.ConfigScope, "rules") && !map.IsIncomplete(map.ConfigScope, "fallback"))
        {
            // OpenShift accepts and runs it (the CRD's own test has redirect: {}); the router then only answers on its address.
            reader.Warning(DiagnosticCodes.NothingRedirected, redirect, "spec.redirect", "spec.redirect has no redirectRules and no fallbackIP: nothing is forwarded",
                "add spec.redirect.redirectRules or spec.redirect.fallbackIP");
        }
        return (rules.ToValueList(), fallback);
    }

    // destinationIP has been written both as an address and as a /32 CIDR (cluster-network-operator PR #852).
    private static IPAddress? ReadDestination(DocReader reader, DocField field)
    {
        if (reader.Text(field) is not { } text)
        {
            return null;
        }
        if (!text.Contains('/'))
        {
            return reader.Address(field, "destination");
        }
        if (reader.InterfaceAddress(field, prefixOptional: false) is not { } cidr)
        {
            return null;
        }
        if (cidr.PrefixLength != AddressText.MaxPrefix(cidr.Family))
        {
            reader.Error(DiagnosticCodes.InvalidPrefix, field, $"destination '{text}' is a network, not one address",
                $"give one address, e.g. {cidr.Address}");
            return null;
        }
        return cidr.Address;
    }
}
