namespace RedirectRouter.Core.Parsing.Native;

/// <summary>The keys of the native configuration (documented in docs/config.md); the serializer writes the same names.</summary>
internal static class NativeSchema
{
    public static readonly string[] TopKeys = ["homes", "rules", "fallback", "settings"];
    public static readonly string[] HomeKeys = ["name", "interface", "parent", "adopt", "mode", "mtu", "addresses", "gateways", "onLink", "routes"];
    public static readonly string[] RouteKeys = ["to", "via", "metric"];
    public static readonly string[] NextHopKeys = ["address", "weight"];
    public static readonly string[] RuleKeys = ["protocol", "port", "destination", "targetPort", "home"];
    public static readonly string[] FallbackKeys = ["ipv4", "ipv6"];
    public static readonly string[] SettingsKeys = ["backend", "metrics", "announceCount", "clusterInterface", "interfaceName", "hostNetns", "debug", "allowLinkLocalDestinations"];

    /// <summary>The kernel keeps weight-1 in one byte.</summary>
    public const int MaxWeight = 256;

    /// <summary>Smallest MTU the kernel takes for IPv4.</summary>
    public const int MinMtu = 68;
}
