namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// The shapes of map this library reads and writes: exactly those the agent's ruleset declares. Every key is
/// the concatenation <c>inet_proto . inet_service</c> (<c>meta l4proto . th dport</c>), each field padded to 4 bytes.
/// </summary>
public enum NfMapKind
{
    /// <summary><c>type inet_proto . inet_service : ipv4_addr . inet_service</c> (or <c>ipv6_addr</c>): single ports to address and port.</summary>
    Ports,
    /// <summary><c>type inet_proto . inet_service : ipv4_addr; flags interval</c> (or <c>ipv6_addr</c>): port ranges to an address.</summary>
    Ranges,
    /// <summary><c>type inet_proto . inet_service : mark; flags interval</c>: port ranges to a packet mark.</summary>
    Marks,
}

/// <summary>One map in one table: where elements go and how they are encoded.</summary>
/// <param name="Family">The table's family; <see cref="NfFamily.Ip"/> or <see cref="NfFamily.Ip6"/>.</param>
/// <param name="Table">The table name.</param>
/// <param name="Name">The map name.</param>
/// <param name="Kind">The map's declared key and data types.</param>
public sealed record NfMap(NfFamily Family, string Table, string Name, NfMapKind Kind)
{
    /// <summary>True for interval maps: every element carries a closing key (<c>NFTA_SET_ELEM_KEY_END</c>).</summary>
    public bool IsInterval => Kind is NfMapKind.Ranges or NfMapKind.Marks;

    /// <summary>The address length of data values (4 or 16), by family.</summary>
    internal int AddressLength => Family == NfFamily.Ip6 ? 16 : 4;

    /// <summary>The length of the data value the kernel stores for this map.</summary>
    internal int DataLength => Kind switch
    {
        NfMapKind.Ports => AddressLength + 4,
        NfMapKind.Ranges => AddressLength,
        _ => 4,
    };

    /// <summary>The nft words for the map, as in <c>ip redirect_router dnat_ports</c>.</summary>
    public override string ToString() => $"{Family.Keyword()} {Table} {Name}";
}
