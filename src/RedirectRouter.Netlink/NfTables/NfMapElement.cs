namespace RedirectRouter.Netlink.NfTables;

/// <summary>One map element, <c>key : value</c>, as <c>nft add element</c> takes it.</summary>
public readonly record struct NfMapElement(NfPortKey Key, NfMapValue Value)
{
    /// <summary>As nft writes it: <c>tcp . 8080 : 10.0.0.5 . 80</c>.</summary>
    public override string ToString() => $"{Key} : {Value}";
}

/// <summary>A counter's packets and bytes.</summary>
public readonly record struct NfCounter(ulong Packets, ulong Bytes);

/// <summary>One element read back from the kernel, with its counter when the map counts.</summary>
public readonly record struct NfMapEntry(NfPortKey Key, NfMapValue Value, NfCounter? Counter)
{
    /// <summary>The element without its counter.</summary>
    public NfMapElement Element => new(Key, Value);

    /// <summary>As nft prints it, with <c>counter packets P bytes B</c> when it counts.</summary>
    public override string ToString() =>
        Counter is { } c ? $"{Key} counter packets {c.Packets} bytes {c.Bytes} : {Value}" : $"{Key} : {Value}";
}

/// <summary>The ruleset generation (<c>NFT_MSG_GETGEN</c>): it changes with every committed transaction.</summary>
/// <param name="Id">The generation id.</param>
/// <param name="ProcessId">The process that committed the last transaction, when the kernel says.</param>
/// <param name="ProcessName">Its name, when the kernel says.</param>
public sealed record NfGeneration(uint Id, uint? ProcessId, string? ProcessName);

/// <summary>A chain as <c>nft -a list chains</c> shows it.</summary>
public sealed record NfChain(NfFamily Family, string Table, string Name, ulong Handle)
{
    /// <summary>The base chain's type (<c>nat</c>, <c>filter</c>), or null for a regular chain.</summary>
    public string? Type { get; init; }

    /// <summary>The hook number (<c>NF_INET_*</c>: 0 prerouting ... 4 postrouting), or null.</summary>
    public uint? Hook { get; init; }

    /// <summary>The hook priority, or null.</summary>
    public int? Priority { get; init; }

    /// <summary>The policy verdict (1 accept, 0 drop), or null.</summary>
    public uint? Policy { get; init; }

    /// <summary>How many references the chain has (rules jumping to it and its own rules).</summary>
    public uint Use { get; init; }
}

/// <summary>A rule as <c>nft -a list chain</c> shows it: enough to see that it is there and which maps it uses.</summary>
public sealed record NfRule(NfFamily Family, string Table, string Chain, ulong Handle)
{
    /// <summary>The names of its expressions in order (<c>meta</c>, <c>cmp</c>, <c>counter</c>, <c>lookup</c>, <c>nat</c>, ...).</summary>
    public IReadOnlyList<string> Expressions { get; init; } = [];

    /// <summary>The sets and maps its lookups name.</summary>
    public IReadOnlyList<string> Lookups { get; init; } = [];

    /// <summary>Its first counter, when it has one.</summary>
    public NfCounter? Counter { get; init; }
}
