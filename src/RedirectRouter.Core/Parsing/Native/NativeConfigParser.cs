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
    private static readonly RedirectRuleSchema RuleSchema = new(
        NativeSchema.RuleKeys,
        DestinationKey: "destination",
        DestinationMissing: "give the real destination address, e.g. destination: 203.0.113.10",
        ReadDestination: static (reader, field) => reader.Address(field, "destination"),
        PortMissing: "give the local port or range, e.g. port: 8080",
        AllowRanges: true,
        ProtocolHint: "use tcp, udp or sctp",
        ProtocolMissing: null,
        HomeKey: "home",
        ProtocolFirst: true);

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

        var index = 0;
        var homes = reader.List(DocReader.Field(root, "", "homes"), (node, path) => ParseHome(node, path, index++, settings, reader, map),
            incomplete: () => map.MarkIncomplete(map.ConfigScope, "homes"));
        var rules = reader.List(DocReader.Field(root, "", "rules"), (node, path) => RedirectRuleReader.Read(node, path, RuleSchema, reader, map),
            incomplete: () => map.MarkIncomplete(map.ConfigScope, "rules"));

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
        var nameField = DocReader.Field(mapping, path, "name");
        // A home whose name does not read is still checked in full, then left out.
        var name = nameField.Node is null ? string.Create(CultureInfo.InvariantCulture, $"home{index}") : reader.HomeName(nameField.Node, nameField.Path);

        var interfaceField = DocReader.Field(mapping, path, "interface");
        var parentField = DocReader.Field(mapping, path, "parent");
        var adoptField = DocReader.Field(mapping, path, "adopt");
        var modeField = DocReader.Field(mapping, path, "mode");
        var origin = LinkOrigin.Create;
        string? interfaceName = index == 0 ? settings.InterfaceName : string.Create(CultureInfo.InvariantCulture, $"macvlan{index}");
        string? parent = null;
        var mode = MacvlanMode.Private;
        var incompleteInterface = false;
        if (adoptField.Node is not null)
        {
            origin = LinkOrigin.Adopt;
            interfaceName = reader.InterfaceName(adoptField);
            incompleteInterface |= interfaceName is null;
            foreach (var other in new[] { parentField, modeField, interfaceField })
            {
                if (other.Node is not null)
                {
                    reader.Error(DiagnosticCodes.ConflictingKeys, other.Node, other.Path,
                        $"'{other.Key}' cannot be used with 'adopt': an adopted interface is used as it is",
                        $"remove '{other.Key}', or remove 'adopt' to create a macvlan");
                }
            }
        }
        else
        {
            if (interfaceField.Node is not null)
            {
                interfaceName = reader.InterfaceName(interfaceField);
                incompleteInterface |= interfaceName is null;
            }
            parent = reader.InterfaceName(parentField);
            mode = reader.MacvlanMode(modeField, MacvlanMode.Private, EnumWords.MacvlanModeHint);
        }

        var mtu = reader.Integer(DocReader.Field(mapping, path, "mtu"), NativeSchema.MinMtu, 65535, "MTU");

        // Located as they are read: the map is keyed by identity, so the items of a home left out are never looked up.
        var incompleteAddresses = false;
        var addresses = reader.List(DocReader.Field(mapping, path, "addresses"), (item, itemPath) => reader.InterfaceAddress(item, itemPath, prefixOptional: true),
            incomplete: () => incompleteAddresses = true, strict: false, locate: map);
        var incompleteGateways = false;
        var gateways = reader.List(DocReader.Field(mapping, path, "gateways"), (item, itemPath) => reader.Address(item, itemPath, "gateway"),
            incomplete: () => incompleteGateways = true, strict: false, locate: map);

        var onLink = reader.Boolean(DocReader.Field(mapping, path, "onLink")) == true;

        var incompleteRoutes = false;
        var routes = reader.List(DocReader.Field(mapping, path, "routes"), (item, itemPath) => ParseRoute(item, itemPath, reader, map),
            incomplete: () => incompleteRoutes = true, notListIncomplete: false);

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
        reader.Locate(map, home, nameField);
        reader.Locate(map, home, adoptField.Node is null ? interfaceField : adoptField, "interface");
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
        var destination = reader.Network(DocReader.Field(mapping, path, "to"), "give the destination prefix, e.g. to: 198.51.100.0/24");

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

        var metric = reader.Integer(DocReader.Field(mapping, path, "metric"), 0, int.MaxValue, "metric");
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
            var address = reader.Address(DocReader.Field(mapping, path, "address"), "next hop", "give the next-hop router, e.g. address: 192.0.2.254");
            var weightField = DocReader.Field(mapping, path, "weight");
            var weight = weightField.Node is null ? 1 : reader.Integer(weightField, 1, NativeSchema.MaxWeight, "weight");
            return address is not null && weight is not null ? new NextHop(address, weight.Value) : null;
        }
        return reader.Address(node, path, "next hop") is { } gateway ? new NextHop(gateway) : null;
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
            var field = DocReader.Field(mapping, "fallback", key);
            if (field.Node is null)
            {
                return null;
            }
            var address = reader.Address(field, "fallback");
            if (address is null)
            {
                map.MarkIncomplete(map.ConfigScope, "fallback");
                return null;
            }
            if (address.AddressFamily != family)
            {
                reader.Error(DiagnosticCodes.FamilyMismatch, field.Node, field.Path, $"fallback.{key} is {(family == AddressFamily.InterNetwork ? "an IPv6" : "an IPv4")} address",
                    $"put it under fallback.{(family == AddressFamily.InterNetwork ? "ipv6" : "ipv4")}");
                map.MarkIncomplete(map.ConfigScope, "fallback");
                return null;
            }
            map.Add(address, reader.At(field.Node, field.Path));
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
        DocField Key(string key) => DocReader.Field(mapping, "settings", key);
        if (reader.Word<NetfilterBackend>(Key("backend"), EnumWords.TryParseBackend, DiagnosticCodes.InvalidValue, "backend", "use auto, iptables or nftables") is { } backend)
        {
            settings = settings with { Backend = backend };
        }
        if (reader.Text(Key("metrics")) is { } metrics)
        {
            if (ListenEndpoint.TryParse(metrics, out _))
            {
                settings = settings with { MetricsAddress = metrics };
            }
            else
            {
                reader.Error(DiagnosticCodes.InvalidValue, Key("metrics"), $"'{metrics}' is not ADDRESS:PORT",
                    "e.g. 127.0.0.1:9100 or [::]:9100");
            }
        }
        if (reader.Integer(Key("announceCount"), 0, 10, "announce count") is { } count)
        {
            settings = settings with { AnnounceCount = count };
        }
        if (reader.InterfaceName(Key("clusterInterface")) is { } cluster)
        {
            settings = settings with { ClusterInterface = cluster };
        }
        if (reader.InterfaceName(Key("interfaceName")) is { } name)
        {
            settings = settings with { InterfaceName = name };
        }
        if (reader.Text(Key("hostNetns")) is { } netns)
        {
            if (netns.StartsWith('/'))
            {
                settings = settings with { HostNetns = netns };
            }
            else
            {
                reader.Error(DiagnosticCodes.InvalidValue, Key("hostNetns"), $"'{netns}' is not an absolute path",
                    "e.g. /host/proc/1/ns/net");
            }
        }
        if (reader.Boolean(Key("debug")) is { } debug)
        {
            settings = settings with { Debug = debug };
        }
        if (reader.Boolean(Key("allowLinkLocalDestinations")) is { } allowLinkLocal)
        {
            settings = settings with { AllowLinkLocalDestinations = allowLinkLocal };
        }
        return settings;
    }
}
