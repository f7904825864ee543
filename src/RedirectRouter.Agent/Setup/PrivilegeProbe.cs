using System.Globalization;

namespace RedirectRouter.Agent.Setup;

/// <summary>Which Linux capabilities the process holds, read from <c>/proc/self/status</c> (<c>CapEff</c>).</summary>
public static class PrivilegeProbe
{
    /// <summary><c>CAP_NET_ADMIN</c>: links, addresses, routes, rules, netfilter.</summary>
    public const int NetAdmin = 12;

    /// <summary><c>CAP_NET_RAW</c>: ARP probes and announcements.</summary>
    public const int NetRaw = 13;

    /// <summary><c>CAP_SYS_ADMIN</c>: entering the node's namespace to create a macvlan there.</summary>
    public const int SysAdmin = 21;

    /// <summary>The capabilities the agent needs and lacks, by name; empty when it has them all.</summary>
    public static IReadOnlyList<string> Missing(bool needsHostNamespace)
    {
        var effective = Effective();
        var missing = new List<string>();
        if (!Has(effective, NetAdmin))
        {
            missing.Add("CAP_NET_ADMIN (to configure links, addresses, routes and netfilter)");
        }

        if (!Has(effective, NetRaw))
        {
            missing.Add("CAP_NET_RAW (to probe for and announce the egress address)");
        }

        if (needsHostNamespace && !Has(effective, SysAdmin))
        {
            missing.Add("CAP_SYS_ADMIN (to enter the node's network namespace given with --host-netns)");
        }

        return missing;
    }

    /// <summary>The effective capability set.</summary>
    public static ulong Effective()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return ulong.Parse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static bool Has(ulong set, int capability) => (set & (1UL << capability)) != 0;
}
