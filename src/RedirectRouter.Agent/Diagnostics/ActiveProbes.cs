using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Announce;
using RedirectRouter.Netlink;
using RedirectRouter.Netlink.Model;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>
/// With <c>--probe</c>: an ARP probe (sender 0.0.0.0, RFC 5227) to each IPv4 gateway, and one for each IPv4
/// egress address to find another holder. A probe that fails becomes a note.
/// </summary>
internal static class ActiveProbes
{
    public static DiagFacts Probe(DiagFacts facts, NetworkTables tables, NetNamespace? ns, TimeSpan window, List<string> notes, ILogger logger)
    {
        var links = tables.Links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        var gateways = facts.Gateways.Select(g =>
        {
            if (Probeable(links, g.Interface, g.Address) is not { } gateway)
            {
                return g;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                // An ARP probe gets an answer from the gateway without touching its ARP cache.
                var answer = DuplicateAddressProbe.Probe(ns, gateway.Link.Index, gateway.Mac, gateway.Address, window);
                return g with { Probe = new ProbeFact(answer is not null, answer is null ? null : HardwareAddress.Format(answer.OtherHost), watch.Elapsed.TotalMilliseconds) };
            }
            catch (Exception e) when (e is KernelException or IOException or SocketException)
            {
                DiagLog.StepFailed(logger, "gateway probe", e.Message);
                notes.Add($"the probe of gateway {g.Address} failed: {e.Message}");
                return g;
            }
        }).ToList();

        var duplicates = new List<DuplicateProbeFact>();
        foreach (var fact in facts.Addresses.Where(a => a.Present && facts.Interfaces.Any(i => i.Name == a.Interface)))
        {
            if (Probeable(links, fact.Interface, fact.Address) is not { } own)
            {
                continue;
            }

            try
            {
                var conflict = DuplicateAddressProbe.Probe(ns, own.Link.Index, own.Mac, own.Address, window);
                duplicates.Add(new DuplicateProbeFact(fact.Address, fact.Interface, conflict is null ? null : HardwareAddress.Format(conflict.OtherHost)));
            }
            catch (Exception e) when (e is KernelException or IOException or SocketException)
            {
                DiagLog.StepFailed(logger, "duplicate address probe", e.Message);
                notes.Add($"the duplicate address probe of {fact.Address} failed: {e.Message}");
            }
        }

        if (facts.Gateways.Any(g => g.Address.AddressFamily == AddressFamily.InterNetworkV6))
        {
            notes.Add("IPv6 gateways are judged by their neighbour entry only (no active NDP check)");
        }

        return facts with { Gateways = gateways, DuplicateProbes = duplicates };
    }

    // The link, its MAC and the IPv4 address to probe from it, when the link exists and is up.
    private static (Link Link, PhysicalAddress Mac, IPAddress Address)? Probeable(Dictionary<string, Link> links, string name, IPAddress address) =>
        links.TryGetValue(name, out var link) && link.IsUp && link.MacAddress is { } m
            && address.AddressFamily == AddressFamily.InterNetwork
            ? (link, m, address)
            : null;
}
