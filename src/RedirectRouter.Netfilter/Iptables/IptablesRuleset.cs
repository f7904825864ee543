using System.Net.Sockets;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>One of our chains: where it lives, which built-in chain jumps to it, and its rules in iptables-save form.</summary>
/// <param name="Table">nat, mangle or filter.</param>
/// <param name="Name">The chain name (RR-...).</param>
/// <param name="Hook">The built-in chain that jumps to it.</param>
/// <param name="Rules">Its rules exactly as iptables-save prints them ("-A RR-DNAT -i eth0 ...").</param>
public sealed record IptablesChain(string Table, string Name, string Hook, ValueList<string> Rules)
{
    /// <summary>The jump from the built-in chain, as iptables-save prints it (with our comment: the mark of ownership).</summary>
    public string Jump => $"-A {Hook} {IptablesOwnership.JumpSpec(Name)}";
}

/// <summary>The desired iptables state of one address family.</summary>
/// <param name="Family">IPv4 (iptables) or IPv6 (ip6tables).</param>
/// <param name="Chains">Our chains, in table order mangle, nat, filter.</param>
public sealed record IptablesRuleset(AddressFamily Family, ValueList<IptablesChain> Chains)
{
    /// <summary>"iptables" or "ip6tables", to label drift and counters.</summary>
    public string Label => IptablesRenderer.LabelOf(Family);
}

/// <summary>Our chains as they are in the kernel, to roll a failed multi-table restore back.</summary>
internal static class IptablesRulesetFromLive
{
    private static readonly Dictionary<string, string> KnownHooks = new(StringComparer.Ordinal)
    {
        [IptablesRenderer.DnatChain] = "PREROUTING",
        [IptablesRenderer.SnatChain] = "POSTROUTING",
        [IptablesRenderer.MarkChain] = "PREROUTING",
        [IptablesRenderer.ForwardChain] = "FORWARD",
        [IptablesRenderer.InputChain] = "INPUT",
    };

    public static IptablesRuleset Of(AddressFamily family, IptablesSaveState live)
    {
        var chains = new List<IptablesChain>();
        foreach (var table in IptablesRenderer.Tables)
        {
            if (live.Table(table) is not { } saved)
            {
                continue;
            }
            foreach (var name in saved.Chains.Where(c => c.StartsWith(IptablesRenderer.ChainPrefix, StringComparison.Ordinal)))
            {
                var hook = KnownHooks.GetValueOrDefault(name)
                    ?? saved.Rules.FirstOrDefault(r => r.Value.Any(rule => rule.Text == $"-A {r.Key} {IptablesOwnership.JumpSpec(name)}")).Key
                    ?? "";
                chains.Add(new IptablesChain(table, name, hook, saved.RulesOf(name).Select(r => r.Text).ToValueList()));
            }
        }
        return new IptablesRuleset(family, chains.ToValueList());
    }
}
