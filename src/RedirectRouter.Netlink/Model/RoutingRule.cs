using System.Net;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Model;

/// <summary>A policy routing rule: <c>ip rule add [not] [from P] [to P] [fwmark M/MASK] [iif I] [oif O] [priority N] table T</c>.</summary>
public sealed record RoutingRule
{
    /// <summary>The action of a rule that looks up <see cref="Table"/> (<c>FR_ACT_TO_TBL</c>, <c>lookup T</c>).</summary>
    public const byte LookUpTableAction = RouteConstants.RuleActionToTable;

    /// <summary>The address family: <see cref="System.Net.Sockets.AddressFamily.InterNetwork"/> or <see cref="System.Net.Sockets.AddressFamily.InterNetworkV6"/>.</summary>
    public required System.Net.Sockets.AddressFamily Family { get; init; }

    /// <summary>The priority (lower runs first); null lets the kernel choose.</summary>
    public uint? Priority { get; init; }

    /// <summary>The source prefix (<c>from</c>).</summary>
    public IPNetwork? Source { get; init; }

    /// <summary>The destination prefix (<c>to</c>).</summary>
    public IPNetwork? Destination { get; init; }

    /// <summary>The firewall mark (<c>fwmark</c>).</summary>
    public uint? FwMark { get; init; }

    /// <summary>The firewall mark mask.</summary>
    public uint? FwMask { get; init; }

    /// <summary>The table to look up.</summary>
    public uint Table { get; init; } = RouteConstants.TableMain;

    /// <summary>The input interface name (<c>iif</c>).</summary>
    public string? InputInterface { get; init; }

    /// <summary>The output interface name (<c>oif</c>).</summary>
    public string? OutputInterface { get; init; }

    /// <summary>Inverts the selector (<c>not</c>).</summary>
    public bool Invert { get; init; }

    /// <summary>
    /// Who installed the rule (<c>FRA_PROTOCOL</c>, <c>protocol N</c> in <c>ip rule</c>). Kernels from 4.17 report it for
    /// every rule (0 when unset); older ones never do, so a dump without it means the kernel cannot mark rules.
    /// </summary>
    public byte? Protocol { get; init; }

    /// <summary>The action (<c>FR_ACT_*</c>); look up a table by default.</summary>
    public byte Action { get; init; } = RouteConstants.RuleActionToTable;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(Priority is { } p ? $"{p}: " : "")}{(Invert ? "not " : "")}from {(Source?.ToString() ?? "all")}" +
        $"{(Destination is { } d ? $" to {d}" : "")}{(FwMark is { } m ? $" fwmark 0x{m:x}{(FwMask is { } k ? $"/0x{k:x}" : "")}" : "")}" +
        $"{(InputInterface is { } i ? $" iif {i}" : "")}{(OutputInterface is { } o ? $" oif {o}" : "")} lookup {Table}";
}
