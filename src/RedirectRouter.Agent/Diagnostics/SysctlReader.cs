using System.Globalization;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>Forwarding and the effective rp_filter of the egress and cluster interfaces, read on a thread inside the router's namespace.</summary>
internal static class SysctlReader
{
    /// <param name="ns">The router's namespace; null when it is diag's own.</param>
    /// <param name="facts">The network facts (which interfaces are present).</param>
    public static SysctlFact Read(NetNamespace? ns, DiagFacts facts)
    {
        var interfaces = facts.Interfaces.Where(i => i.Present).Select(i => i.Name)
            .Concat(facts.ClusterInterface is { } c ? [c.Name] : [])
            .Distinct(StringComparer.Ordinal).ToList();
        SysctlFact Read()
        {
            var all = ReadInt("/proc/sys/net/ipv4/conf/all/rp_filter") ?? 0;
            var rp = interfaces
                .Select(i => ReadInt($"/proc/sys/net/ipv4/conf/{i}/rp_filter") is { } v ? new RpFilterFact(i, Math.Max(all, v)) : null)
                .OfType<RpFilterFact>().ToList();
            return new SysctlFact
            {
                Ipv4Forwarding = ReadInt("/proc/sys/net/ipv4/ip_forward"),
                Ipv6Forwarding = ReadInt("/proc/sys/net/ipv6/conf/all/forwarding"),
                RpFilter = rp,
            };
        }

        // /proc/sys/net shows the namespace of the thread that reads it.
        return ns is null ? Read() : ns.Run(Read);
    }

    private static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
