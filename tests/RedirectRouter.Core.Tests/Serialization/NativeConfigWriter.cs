using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Serialization;

/// <summary>
/// Writes a <see cref="RouterConfig"/> in the native schema, so any input can be turned into a native file
/// (and the parser is tested by round trips). Only the tests use it, so it lives with them. Homes with <see cref="LinkOrigin.AdoptOrCreate"/> (OpenShift
/// input only) are written as created macvlans, since the native schema does not have that mode.
/// </summary>
internal static class NativeConfigWriter
{
    /// <summary>The configuration as native YAML.</summary>
    public static string ToYaml(RouterConfig config) => TreeWriter.ToYaml(ToTree(config));

    /// <summary>The configuration as native JSON.</summary>
    public static string ToJson(RouterConfig config) => TreeWriter.ToJson(ToTree(config));

    /// <summary>The configuration as a tree in the native schema.</summary>
    public static OutMap ToTree(RouterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = new OutMap()
            .Add("homes", new OutList(config.Homes.Select(Home)))
            .Add("rules", new OutList(config.Rules.Select(Rule)));
        if (config.Fallback.All.Any())
        {
            root.Add("fallback", new OutMap()
                .Add("ipv4", config.Fallback.IPv4?.ToString())
                .Add("ipv6", config.Fallback.IPv6?.ToString()));
        }
        var settings = config.Settings;
        var settingsMap = new OutMap()
            .Add("backend", settings.Backend.ToWord())
            .Add("metrics", settings.MetricsAddress)
            .Add("announceCount", settings.AnnounceCount)
            .Add("clusterInterface", settings.ClusterInterface)
            .Add("interfaceName", settings.InterfaceName)
            .Add("hostNetns", settings.HostNetns)
            .Add("debug", settings.Debug);
        if (settings.AllowLinkLocalDestinations)
        {
            // Written only when set, so converted configurations without it stay as they were.
            settingsMap.Add("allowLinkLocalDestinations", true);
        }
        root.Add("settings", settingsMap);
        return root;
    }

    private static OutMap Home(Home home)
    {
        var map = new OutMap().Add("name", home.Name);
        if (home.Origin == LinkOrigin.Adopt)
        {
            map.Add("adopt", home.InterfaceName);
        }
        else
        {
            map.Add("interface", home.InterfaceName)
                .Add("parent", home.Parent)
                .Add("mode", home.Mode.ToWord());
        }
        map.Add("mtu", home.Mtu)
            .Add("addresses", new OutList(home.Addresses.Select(a => OutScalar.Text(a.ToString()))))
            .Add("gateways", home.Gateways.Count == 0 ? null : new OutList(home.Gateways.Select(g => OutScalar.Text(g.ToString()))));
        if (home.GatewayOnLink)
        {
            map.Add("onLink", true);
        }
        if (home.Routes.Count > 0)
        {
            map.Add("routes", new OutList(home.Routes.Select(Route)));
        }
        return map;
    }

    private static OutMap Route(RouteSpec route) =>
        new OutMap()
            .Add("to", route.Destination.ToString())
            .Add("via", route.NextHops.Count == 0 ? null : new OutList(route.NextHops.Select(h =>
                (OutNode)new OutMap().Add("address", h.Gateway.ToString()).Add("weight", h.Weight == 1 ? null : (long?)h.Weight))))
            .Add("metric", route.Metric);

    private static OutMap Rule(RedirectRule rule) =>
        new OutMap()
            .Add("protocol", rule.Protocol.ToWord())
            .Add("port", Ports(rule.LocalPorts))
            .Add("destination", rule.Destination.ToString())
            .Add("targetPort", rule.TargetPorts is { } target ? Ports(target) : null)
            .Add("home", rule.Home);

    private static OutScalar Ports(PortRange ports) =>
        ports.IsSinglePort ? OutScalar.Number(ports.First) : OutScalar.Text(ports.ToString());

}
