using System.Net.NetworkInformation;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Model;

/// <summary>A network interface as the kernel reports it (<c>ip -d link show</c>).</summary>
public sealed record Link
{
    /// <summary>The interface index.</summary>
    public required int Index { get; init; }

    /// <summary>The interface name.</summary>
    public required string Name { get; init; }

    /// <summary>The alias (<c>IFLA_IFALIAS</c>), when set.</summary>
    public string? Alias { get; init; }

    /// <summary>The link kind (<c>macvlan</c>, <c>veth</c>, <c>bridge</c>), or null for a plain device.</summary>
    public string? Kind { get; init; }

    /// <summary>The interface flags (<c>IFF_*</c>).</summary>
    public InterfaceFlags Flags { get; init; }

    /// <summary>The MTU.</summary>
    public int Mtu { get; init; }

    /// <summary>The hardware address, when the link has one (<see cref="HardwareAddress.Format(PhysicalAddress)"/> prints it as <c>ip link</c> does).</summary>
    public PhysicalAddress? MacAddress { get; init; }

    /// <summary>The parent's index (<c>IFLA_LINK</c>); for a link whose parent is in another namespace it indexes there.</summary>
    public int? ParentIndex { get; init; }

    /// <summary>True when the parent lives in another network namespace (<c>IFLA_LINK_NETNSID</c> present).</summary>
    public bool ParentInOtherNamespace { get; init; }

    /// <summary>
    /// The id that this link's namespace gives to the namespace its parent lives in (<c>IFLA_LINK_NETNSID</c>;
    /// <c>ip link</c> prints it as <c>link-netnsid N</c>, or <c>link-netns NAME</c> when it can name it); null when the
    /// parent is in the link's own namespace. <see cref="ParentIndex"/> indexes that namespace. Compare it with
    /// <see cref="NetlinkHandle.NetNsIdOf"/> to tell which namespace it is.
    /// </summary>
    public int? ParentNetNsId { get; init; }

    /// <summary>The bridge or bond this link is enslaved to.</summary>
    public int? MasterIndex { get; init; }

    /// <summary>The macvlan mode, for macvlan links.</summary>
    public MacvlanMode? MacvlanMode { get; init; }

    /// <summary>The RFC 2863 operational state (<c>IFLA_OPERSTATE</c>).</summary>
    public OperationalState OperationalState { get; init; }

    /// <summary>The carrier (<c>IFLA_CARRIER</c>), when reported.</summary>
    public bool? Carrier { get; init; }

    /// <summary>Counters, when reported.</summary>
    public LinkStatistics? Statistics { get; init; }

    /// <summary>True when the link is administratively up.</summary>
    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Index}: {Name}{(Kind is null ? "" : $" ({Kind}{(MacvlanMode is { } m ? $" mode {m.ToString().ToLowerInvariant()}" : "")})")} mtu {Mtu} {(IsUp ? "UP" : "DOWN")}";
}
