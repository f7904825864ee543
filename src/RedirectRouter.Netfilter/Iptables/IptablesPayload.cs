using System.Text;

namespace RedirectRouter.Netfilter.Iptables;

/// <summary>
/// Builds the one <c>iptables-restore --noflush</c> payload of an apply or a cleanup. Declaring
/// <c>:RR-X - [0:0]</c> creates or flushes the chain, so its whole content is replaced atomically with the
/// rest of the payload. Built-in chains are never flushed: a jump is inserted only when the live state
/// lacks it (an <c>-I</c> would otherwise duplicate it), duplicates are deleted, and our chains that are no
/// longer wanted (only those a jump with our comment leads to, see <see cref="IptablesOwnership"/>) are flushed
/// and deleted together with our jumps to them. A foreign rule that still jumps to such a chain is left alone,
/// and so is the chain then (flushed, so it holds nothing of ours).
/// </summary>
internal static class IptablesPayload
{
    /// <summary>The payload that turns <paramref name="live"/> (null = nothing of ours there) into <paramref name="desired"/>; empty when nothing is to be done.</summary>
    public static string Build(IptablesRuleset desired, IptablesSaveState? live)
    {
        live ??= IptablesSaveState.Empty;
        var text = new StringBuilder();
        foreach (var table in IptablesRenderer.Tables)
        {
            var wanted = desired.Chains.Where(c => c.Table == table).ToArray();
            var liveTable = live.Table(table);
            var stale = liveTable is null
                ? []
                : IptablesOwnership.OwnedChains(liveTable).Where(c => wanted.All(w => w.Name != c)).ToArray();
            if (wanted.Length == 0 && stale.Length == 0)
            {
                continue;
            }

            text.Append('*').Append(table).Append('\n');
            foreach (var chain in wanted)
            {
                text.Append(':').Append(chain.Name).Append(" - [0:0]\n");
            }
            foreach (var chain in stale)
            {
                text.Append(':').Append(chain).Append(" - [0:0]\n");
            }

            // Our jumps into the stale chains must go before the chains can; a foreign rule jumping there keeps its chain.
            var inUse = new HashSet<string>(StringComparer.Ordinal);
            if (liveTable is not null && stale.Length > 0)
            {
                foreach (var (chain, rules) in liveTable.Rules)
                {
                    if (stale.Contains(chain, StringComparer.Ordinal) || wanted.Any(w => w.Name == chain))
                    {
                        continue; // flushed by this payload
                    }
                    foreach (var rule in rules.Where(r => r.Target is { } t && stale.Contains(t, StringComparer.Ordinal)))
                    {
                        if (IptablesOwnership.IsMarked(rule))
                        {
                            text.Append("-D").Append(rule.Text.AsSpan(2)).Append('\n');
                        }
                        else
                        {
                            inUse.Add(rule.Target!);
                        }
                    }
                }
            }

            foreach (var chain in wanted)
            {
                foreach (var rule in chain.Rules)
                {
                    text.Append(rule).Append('\n');
                }
                if (chain.Hook.Length == 0)
                {
                    continue; // a chain of ours that nothing jumps to (only when rolling back)
                }
                var jumps = liveTable?.RulesOf(chain.Hook).Count(r => r.Text == chain.Jump) ?? 0;
                if (jumps == 0)
                {
                    text.Append("-I ").Append(chain.Hook).Append(' ').Append(IptablesOwnership.JumpSpec(chain.Name)).Append('\n');
                }
                for (var i = 1; i < jumps; i++)
                {
                    text.Append("-D ").Append(chain.Hook).Append(' ').Append(IptablesOwnership.JumpSpec(chain.Name)).Append('\n');
                }
            }

            foreach (var chain in stale.Where(c => !inUse.Contains(c)))
            {
                text.Append("-X ").Append(chain).Append('\n');
            }
            text.Append("COMMIT\n");
        }
        return text.ToString();
    }
}
