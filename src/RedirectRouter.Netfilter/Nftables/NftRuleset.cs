using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter.Nftables;

/// <summary>One element of a map, in nft syntax: key "tcp . 8080", value "10.7.8.9 . 80".</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
public readonly record struct NftElement(string Key, string Value)
{
    /// <summary>"key : value", as in an <c>elements = { }</c> list.</summary>
    public override string ToString() => $"{Key} : {Value}";
}

/// <summary>A map of our table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="KeyType">"inet_proto . inet_service".</param>
/// <param name="ValueType">"ipv4_addr . inet_service", "ipv4_addr", "mark".</param>
/// <param name="Interval">Whether keys may be ranges.</param>
/// <param name="Counter">Whether each element counts packets and bytes.</param>
/// <param name="Elements">The elements (order does not matter to the kernel).</param>
public sealed record NftMap(string Name, string KeyType, string ValueType, bool Interval, bool Counter, ValueList<NftElement> Elements)
{
    /// <summary>The declaration without the elements, to tell a changed declaration from changed elements.</summary>
    public string Declaration => $"map {Name} {{ type {KeyType} : {ValueType};{(Interval ? " flags interval;" : "")}{(Counter ? " counter;" : "")} }}";
}

/// <summary>A base chain of our table (policy accept: we never drop by policy).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">nat or filter.</param>
/// <param name="Hook">prerouting, postrouting, forward.</param>
/// <param name="Priority">The numeric priority (dstnat = -100, srcnat = 100, filter = 0, mangle = -150).</param>
/// <param name="Rules">Its rules, in the canonical form <see cref="NftJsonReader"/> reads back.</param>
public sealed record NftChain(string Name, string Type, string Hook, int Priority, ValueList<string> Rules)
{
    /// <summary>The chain header.</summary>
    public string Declaration => $"chain {Name} {{ type {Type} hook {Hook} priority {Priority}; policy accept; }}";
}

/// <summary>Our table of one family.</summary>
/// <param name="Family">"ip" or "ip6".</param>
/// <param name="Maps">Its maps.</param>
/// <param name="Chains">Its chains.</param>
public sealed record NftTable(string Family, ValueList<NftMap> Maps, ValueList<NftChain> Chains)
{
    /// <summary>"ip redirect_router".</summary>
    public string Label => $"{Family} {NftRenderer.TableName}";
}
