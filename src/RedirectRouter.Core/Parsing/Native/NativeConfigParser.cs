using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.Documents;

namespace RedirectRouter.Core.Parsing.Native;

/// <summary>Reads the native configuration (homes, routes, rules, fallback, settings) from a YAML or JSON tree.</summary>
internal static class NativeConfigParser
{
    /// <summary>Builds a best-effort model: anything that does not parse is reported and left out (and marked incomplete).</summary>
    public static RouterConfig Parse(DocMapping root, DocReader reader, SourceMap map)
    {
        reader.CheckKeys(root, "", NativeSchema.TopKeys);
        foreach (var section in new[] { "homes", "rules", "fallback" })
        {
            if (reader.WasMisspelt(root, section))
            {
                map.MarkIncomplete(map.ConfigScope, section);
            }
        }
        var settings = DocReader.Get(root, "settings") is { } settingsNode ? ParseSettings(settingsNode, reader) : AgentSettings.Default;

        var homes = new List<Home>();
        if (DocReader.Get(root, "homes") is { } homesNode && reader.StrictList(homesNode, "homes") is { } homeNodes)
        {
            for (var i = 0; i < homeNodes.Count; i++)
            {
                if (ParseHome(homeNodes[i], DocReader.Path("homes", i), i, settings, reader, map) is { } home)
                {
                    homes.Add(home);
                }
                else
                {
                    map.MarkIncomplete(map.ConfigScope, "homes");
                }
            }
        }
        else if (DocReader.Get(root, "homes") is not null)
        {
            map.MarkIncomplete(map.ConfigScope, "homes");
        }

        var rules = new List<RedirectRule>();
        if (DocReader.Get(root, "rules") is { } rulesNode && reader.StrictList(rulesNode, "rules") is { } ruleNodes)
        {
            for (var i = 0; i < ruleNodes.Count; i++)
            {
                if (ParseRule(ruleNodes[i], DocReader.Path("rules", i), reader, map) is { } rule)
                {
                    rules.Add(rule);
                }
                else
                {
                    map.MarkIncomplete(map.ConfigScope, "rules");
                }
            }
        }
        else if (DocReader.Get(root, "rules") is not null)
        {
            map.MarkIncomplete(map.ConfigScope, "rules");
        }

        var fallback = DocReader.Get(root, "fallback") is { } fallbackNode ? ParseFallback(fallbackNode, reader, map) : FallbackDestinations.None;
        return new RouterConfig(homes.ToValueList(), rules.ToValueList(), fallback, settings);
    }

    private static Home? ParseHome(DocNode node, string path, int index, AgentSettings settings, DocReader reader, SourceMap map)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }
        reader.CheckKeys(mapping, path, NativeSchema.HomeKeys);
        var misspelt = NativeSchema.HomeKeys.Where(k => reader.WasMisspelt(mapping, k)).ToHashSet(StringComparer.Ordinal);
        var nameNode = DocReader.Get(mapping, "name");
        // A home whose name does not read is still checked in full, then left out.
        var name = nameNode is null ? string.Create(CultureInfo.InvariantCulture, $"home{index}") : reader.HomeName(nameNode, DocReader.Path(path, "name"));

        var interfaceNode = DocReader.Get(mapping, "interface");
        var parentNode = DocReader.Get(mapping, "parent");
        var adoptNode = DocReader.Get(mapping, "adopt");
        var modeNode = DocReader.Get(mapping, "mode");
        var origin = LinkOrigin.Create;
        string? interfaceName = index == 0 ? settings.InterfaceName : string.Create(CultureInfo.InvariantCulture, $"macvlan{index}");
        string? parent = null;
        var mode = MacvlanMode.Private;
        var incompleteInterface = false;
        if (adoptNode is not null)
        {
            origin = LinkOrigin.Adopt;
            interfaceName = reader.InterfaceName(adoptNode, DocReader.Path(path, "adopt"));
            incompleteInterface |= interfaceName is null;
            foreach (var (key, other) in new[] { ("parent", parentNode), ("mode", modeNode), ("interface", interfaceNode) })
            {
                if (other is not null)
                {
                    reader.Error(DiagnosticCodes.ConflictingKeys, other, DocReader.Path(path, key),
                        $"'{key}' cannot be used with 'adopt': an adopted interface is used as it is",
                        $"remove '{key}', or remove 'adopt' to create a macvlan");
                }
            }
        }
        else
        {
            if (interfaceNode is not null)
            {
                interfaceName = reader.InterfaceName(interfaceNode, DocReader.Path(path, "interface"));
                incompleteInterface |= interfaceName is null;
            }
            if (parentNode is not null)
            {
                parent = reader.InterfaceName(parentNode, DocReader.Path(path, "parent"));
            }
            if (modeNode is not null && reader.Text(modeNode, DocReader.Path(path, "mode")) is { } modeText
                && !EnumWords.TryParseMacvlanMode(modeText, out mode))
            {
                reader.Error(DiagnosticCodes.InvalidValue, modeNode, DocReader.Path(path, "mode"), $"macvlan mode '{modeText}' is not known",
                    "use bridge, private, vepa or passthru");
            }
        }

        int? mtu = DocReader.Get(mapping, "mtu") is { } mtuNode
            ? reader.Integer(mtuNode, DocReader.Path(path, "mtu"), NativeSchema.MinMtu, 65535, "MTU")
            : null;

        var addresses = new List<InterfaceAddress>();
        var addressLocations = new List<(InterfaceAddress, ConfigLocation)>();
        var incompleteAddresses = false;
        if (DocReader.Get(mapping, "addresses") is { } addressesNode)
        {
            var items = reader.List(addressesNode);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = DocReader.Path(DocReader.Path(path, "addresses"), i);
                if (reader.InterfaceAddress(items[i], itemPath, prefixOptional: true) is { } address)
                {
                    addresses.Add(address);
                    addressLocations.Add((address, reader.At(items[i], itemPath)));
                }
                else
                {
                    incompleteAddresses = true;
                }
            }
        }

        var gateways = new List<IPAddress>();
        var gatewayLocations = new List<(IPAddress, ConfigLocation)>();
        var incompleteGateways = false;
        if (DocReader.Get(mapping, "gateways") is { } gatewaysNode)
        {
            var items = reader.List(gatewaysNode);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = DocReader.Path(DocReader.Path(path, "gateways"), i);
                if (reader.Address(items[i], itemPath, "gateway") is { } gateway)
                {
                    gateways.Add(gateway);
                    gatewayLocations.Add((gateway, reader.At(items[i], itemPath)));
                }
                else
                {
                    incompleteGateways = true;
                }
            }
        }

        var onLink = DocReader.Get(mapping, "onLink") is { } onLinkNode && reader.Boolean(onLinkNode, DocReader.Path(path, "onLink")) == true;

        var routes = new List<RouteSpec>();
        var incompleteRoutes = false;
        if (DocReader.Get(mapping, "routes") is { } routesNode && reader.StrictList(routesNode, DocReader.Path(path, "routes")) is { } routeNodes)
        {
            for (var i = 0; i < routeNodes.Count; i++)
            {
                if (ParseRoute(routeNodes[i], DocReader.Path(DocReader.Path(path, "routes"), i), reader, map) is { } route)
                {
                    routes.Add(route);
                }
                else
                {
                    incompleteRoutes = true;
                }
            }
        }

        if (name is null)
        {
            return null;
        }
        incompleteAddresses |= misspelt.Contains("addresses");
        incompleteGateways |= misspelt.Contains("gateways");
        incompleteRoutes |= misspelt.Contains("routes");
        incompleteInterface |= misspelt.Contains("interface") || misspelt.Contains("adopt");
        var home = new Home(name, interfaceName ?? "", parent, origin, mode, mtu, addresses.ToValueList(), gateways.ToValueList(), onLink, routes.ToValueList());
        map.Add(home, reader.At(mapping, path));
        if (nameNode is not null)
        {
            map.Add(home, "name", reader.At(nameNode, DocReader.Path(path, "name")));
        }
        if ((adoptNode ?? interfaceNode) is { } ifNode)
        {
            map.Add(home, "interface", reader.At(ifNode, DocReader.Path(path, adoptNode is null ? "interface" : "adopt")));
        }
        foreach (var (address, location) in addressLocations)
        {
            map.Add(address, location);
        }
        foreach (var (gateway, location) in gatewayLocations)
        {
            map.Add(gateway, location);
        }
        if (incompleteAddresses)
        {
            map.MarkIncomplete(home, "addresses");
        }
        if (incompleteGateways)
        {
            map.MarkIncomplete(home, "gateways");
        }
        if (incompleteRoutes)
        {
            map.MarkIncomplete(home, "routes");
        }
        if (incompleteInterface)
        {
            map.MarkIncomplete(home, "interface");
        }
        return home;
    }

    private static RouteSpec? ParseRoute(DocNode node, string path, DocReader reader, SourceMap map)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }
        reader.CheckKeys(mapping, path, NativeSchema.RouteKeys);
        IPNetwork? destination = null;
        if (DocReader.Get(mapping, "to") is { } toNode)
        {
            destination = reader.Network(toNode, DocReader.Path(path, "to"));
        }
        else
        {
            reader.Missing(mapping, path, "to", "give the destination prefix, e.g. to: 198.51.100.0/24");
        }

        var nextHops = new List<NextHop>();
        var nextHopsOk = true;
        if (DocReader.Get(mapping, "via") is { } viaNode)
        {
            var items = reader.List(viaNode);
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = viaNode is DocSequence ? DocReader.Path(DocReader.Path(path, "via"), i) : DocReader.Path(path, "via");
                if (ParseNextHop(items[i], itemPath, reader) is { } hop)
                {
                    nextHops.Add(hop);
                    map.Add(hop, reader.At(items[i], itemPath));
                }
                else
                {
                    nextHopsOk = false;
                }
            }
        }

        int? metric = DocReader.Get(mapping, "metric") is { } metricNode
            ? reader.Integer(metricNode, DocReader.Path(path, "metric"), 0, int.MaxValue, "metric")
            : null;
        if (destination is null || !nextHopsOk)
        {
            return null;
        }
        var route = new RouteSpec(destination.Value, nextHops.ToValueList(), metric);
        map.Add(route, reader.At(mapping, path));
        return route;
    }

    private static NextHop? ParseNextHop(DocNode node, string path, DocReader reader)
    {
        if (node is DocMapping mapping)
        {
            reader.CheckKeys(mapping, path, NativeSchema.NextHopKeys);
            IPAddress? address = null;
            if (DocReader.Get(mapping, "address") is { } addressNode)
            {
                address = reader.Address(addressNode, DocReader.Path(path, "address"), "next hop");
            }
            else
            {
                reader.Missing(mapping, path, "address", "give the next-hop router, e.g. address: 192.0.2.254");
            }
            var weight = DocReader.Get(mapping, "weight") is { } weightNode
                ? reader.Integer(weightNode, DocReader.Path(path, "weight"), 1, NativeSchema.MaxWeight, "weight")
                : 1;
            return address is not null && weight is not null ? new NextHop(address, weight.Value) : null;
        }
        return reader.Address(node, path, "next hop") is { } gateway ? new NextHop(gateway) : null;
    }

    private static RedirectRule? ParseRule(DocNode node, string path, DocReader reader, SourceMap map)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }
        reader.CheckKeys(mapping, path, NativeSchema.RuleKeys);
        var ok = true;
        var protocol = Protocol.Tcp;
        if (DocReader.Get(mapping, "protocol") is { } protocolNode)
        {
            if (reader.Text(protocolNode, DocReader.Path(path, "protocol")) is not { } protocolText)
            {
                ok = false;
            }
            else if (!EnumWords.TryParseProtocol(protocolText, out protocol))
            {
                reader.Error(DiagnosticCodes.UnknownProtocol, protocolNode, DocReader.Path(path, "protocol"), $"protocol '{protocolText}' is not known",
                    "use tcp, udp or sctp");
                ok = false;
            }
        }

        PortRange? local = null;
        if (DocReader.Get(mapping, "port") is { } portNode)
        {
            local = reader.Ports(portNode, DocReader.Path(path, "port"), allowRange: true);
        }
        else
        {
            reader.Missing(mapping, path, "port", "give the local port or range, e.g. port: 8080");
        }

        IPAddress? destination = null;
        if (DocReader.Get(mapping, "destination") is { } destinationNode)
        {
            destination = reader.Address(destinationNode, DocReader.Path(path, "destination"), "destination");
        }
        else
        {
            reader.Missing(mapping, path, "destination", "give the real destination address, e.g. destination: 203.0.113.10");
        }

        PortRange? target = null;
        var targetNode = DocReader.Get(mapping, "targetPort");
        if (targetNode is not null)
        {
            target = reader.Ports(targetNode, DocReader.Path(path, "targetPort"), allowRange: true);
            ok &= target is not null;
        }

        string? home = null;
        var homeNode = DocReader.Get(mapping, "home");
        if (homeNode is not null)
        {
            home = reader.Text(homeNode, DocReader.Path(path, "home"));
            ok &= home is not null;
        }
        if (!ok || local is null || destination is null)
        {
            return null;
        }
        var rule = new RedirectRule(protocol, local.Value, destination, target, home);
        map.Add(rule, reader.At(mapping, path));
        if (homeNode is not null)
        {
            map.Add(rule, "home", reader.At(homeNode, DocReader.Path(path, "home")));
        }
        if (targetNode is not null)
        {
            map.Add(rule, "targetPort", reader.At(targetNode, DocReader.Path(path, "targetPort")));
        }
        map.Add(rule, "destination", reader.At(mapping["destination"]!, DocReader.Path(path, "destination")));
        map.Add(rule, "port", reader.At(mapping["port"]!, DocReader.Path(path, "port")));
        return rule;
    }

    private static FallbackDestinations ParseFallback(DocNode node, DocReader reader, SourceMap map)
    {
        if (reader.Mapping(node, "fallback") is not { } mapping)
        {
            map.MarkIncomplete(map.ConfigScope, "fallback");
            return FallbackDestinations.None;
        }
        reader.CheckKeys(mapping, "fallback", NativeSchema.FallbackKeys);
        IPAddress? Read(string key, AddressFamily family)
        {
            if (DocReader.Get(mapping, key) is not { } valueNode)
            {
                return null;
            }
            var path = DocReader.Path("fallback", key);
            var address = reader.Address(valueNode, path, "fallback");
            if (address is null)
            {
                map.MarkIncomplete(map.ConfigScope, "fallback");
                return null;
            }
            if (address.AddressFamily != family)
            {
                reader.Error(DiagnosticCodes.FamilyMismatch, valueNode, path, $"fallback.{key} is {(family == AddressFamily.InterNetwork ? "an IPv6" : "an IPv4")} address",
                    $"put it under fallback.{(family == AddressFamily.InterNetwork ? "ipv6" : "ipv4")}");
                map.MarkIncomplete(map.ConfigScope, "fallback");
                return null;
            }
            map.Add(address, reader.At(valueNode, path));
            return address;
        }
        return new FallbackDestinations(Read("ipv4", AddressFamily.InterNetwork), Read("ipv6", AddressFamily.InterNetworkV6));
    }

    private static AgentSettings ParseSettings(DocNode node, DocReader reader)
    {
        var settings = AgentSettings.Default;
        if (reader.Mapping(node, "settings") is not { } mapping)
        {
            return settings;
        }
        reader.CheckKeys(mapping, "settings", NativeSchema.SettingsKeys);
        if (DocReader.Get(mapping, "backend") is { } backendNode && reader.Text(backendNode, "settings.backend") is { } backendText)
        {
            if (EnumWords.TryParseBackend(backendText, out var backend))
            {
                settings = settings with { Backend = backend };
            }
            else
            {
                reader.Error(DiagnosticCodes.InvalidValue, backendNode, "settings.backend", $"backend '{backendText}' is not known", "use auto, iptables or nftables");
            }
        }
        if (DocReader.Get(mapping, "metrics") is { } metricsNode && reader.Text(metricsNode, "settings.metrics") is { } metrics)
        {
            if (ListenEndpoint.TryParse(metrics, out _))
            {
                settings = settings with { MetricsAddress = metrics };
            }
            else
            {
                reader.Error(DiagnosticCodes.InvalidValue, metricsNode, "settings.metrics", $"'{metrics}' is not ADDRESS:PORT",
                    "e.g. 127.0.0.1:9100 or [::]:9100");
            }
        }
        if (DocReader.Get(mapping, "announceCount") is { } announceNode && reader.Integer(announceNode, "settings.announceCount", 0, 10, "announce count") is { } count)
        {
            settings = settings with { AnnounceCount = count };
        }
        if (DocReader.Get(mapping, "clusterInterface") is { } clusterNode && reader.InterfaceName(clusterNode, "settings.clusterInterface") is { } cluster)
        {
            settings = settings with { ClusterInterface = cluster };
        }
        if (DocReader.Get(mapping, "interfaceName") is { } nameNode && reader.InterfaceName(nameNode, "settings.interfaceName") is { } name)
        {
            settings = settings with { InterfaceName = name };
        }
        if (DocReader.Get(mapping, "hostNetns") is { } netnsNode && reader.Text(netnsNode, "settings.hostNetns") is { } netns)
        {
            if (netns.StartsWith('/'))
            {
                settings = settings with { HostNetns = netns };
            }
            else
            {
                reader.Error(DiagnosticCodes.InvalidValue, netnsNode, "settings.hostNetns", $"'{netns}' is not an absolute path",
                    "e.g. /host/proc/1/ns/net");
            }
        }
        if (DocReader.Get(mapping, "debug") is { } debugNode && reader.Boolean(debugNode, "settings.debug") is { } debug)
        {
            settings = settings with { Debug = debug };
        }
        if (DocReader.Get(mapping, "allowLinkLocalDestinations") is { } linkLocalNode
            && reader.Boolean(linkLocalNode, "settings.allowLinkLocalDestinations") is { } allowLinkLocal)
        {
            settings = settings with { AllowLinkLocalDestinations = allowLinkLocal };
        }
        return settings;
    }
}
