namespace RedirectRouter.Netfilter.Iptables;

/// <summary>Compares the rendered chains of one family with an iptables-save dump.</summary>
internal static class IptablesVerifier
{
    // Targets after which a packet does not reach a later rule of the same built-in chain.
    private static readonly HashSet<string> Terminal = new(StringComparer.Ordinal)
    {
        "ACCEPT", "DROP", "REJECT", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "RETURN", "NETMAP",
    };

    public static void Compare(IptablesRuleset desired, IptablesSaveState live, string clusterInterface,
        IReadOnlyCollection<string> egressInterfaces, List<string> missing, List<string> extra, List<string> shadowing)
    {
        var label = desired.Label;
        foreach (var chain in desired.Chains)
        {
            var where = $"{label} {chain.Table}";
            var table = live.Table(chain.Table);
            if (table is null || !table.Has(chain.Name))
            {
                missing.Add($"{where}: chain {chain.Name}");
                missing.AddRange(chain.Rules.Select(r => $"{where}: {r}"));
            }
            else
            {
                var actual = table.RulesOf(chain.Name).Select(r => r.Text).ToList();
                var (gone, added) = MultisetDifference(chain.Rules, actual);
                missing.AddRange(gone.Select(r => $"{where}: {r}"));
                extra.AddRange(added.Select(r => $"{where}: {r}"));
                if (gone.Count == 0 && added.Count == 0 && !actual.SequenceEqual(chain.Rules, StringComparer.Ordinal))
                {
                    extra.Add($"{where}: rules of {chain.Name} are out of order");
                }
            }

            var hook = table?.RulesOf(chain.Hook) ?? [];
            var jumpAt = -1;
            var jumps = 0;
            for (var i = 0; i < hook.Count; i++)
            {
                if (hook[i].Text == chain.Jump)
                {
                    jumps++;
                    jumpAt = jumpAt < 0 ? i : jumpAt;
                }
            }
            if (jumps == 0)
            {
                missing.Add($"{where}: {chain.Jump}");
                continue;
            }
            for (var i = 1; i < jumps; i++)
            {
                extra.Add($"{where}: {chain.Jump} (duplicate)");
            }
            for (var i = 0; i < jumpAt; i++)
            {
                if (Shadows(hook[i], chain.Hook, clusterInterface, egressInterfaces))
                {
                    shadowing.Add($"{where}: {hook[i].Text}");
                }
            }
        }

        // Our chains (a jump with our comment leads there) that the rendering no longer has; foreign RR-* chains are not ours.
        foreach (var (tableName, table) in live.Tables)
        {
            foreach (var name in IptablesOwnership.OwnedChains(table))
            {
                if (!desired.Chains.Any(c => c.Table == tableName && c.Name == name))
                {
                    extra.Add($"{label} {tableName}: chain {name}");
                    extra.AddRange(table.RulesOf(name).Select(r => $"{label} {tableName}: {r.Text}"));
                }
            }
        }
    }

    /// <summary>Whether a foreign rule placed before our jump can take traffic our chain should see.</summary>
    internal static bool Shadows(SavedRule rule, string hook, string clusterInterface, IReadOnlyCollection<string> egressInterfaces)
    {
        if (rule.Target is not { } target || !Terminal.Contains(target))
        {
            return false;
        }

        var tokens = Tokens.Of(rule.Text);
        var option = hook == "POSTROUTING" ? "-o" : "-i";
        // The filters see traffic from every side: a foreign verdict before our jump that matches the cluster
        // interface or a home's interface (or any) decides before our filter does.
        IEnumerable<string> ours = hook switch
        {
            "POSTROUTING" => egressInterfaces,
            "FORWARD" or "INPUT" => egressInterfaces.Append(clusterInterface),
            _ => [clusterInterface],
        };
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            if (tokens[i] == option && (i == 0 || tokens[i - 1] != "!"))
            {
                var name = tokens[i + 1];
                return ours.Any(e => InterfaceMatches(name, e));
            }
        }
        return true;
    }

    private static bool InterfaceMatches(string pattern, string name) =>
        pattern.EndsWith('+') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;

    private static (List<string> Gone, List<string> Added) MultisetDifference(IEnumerable<string> wanted, IEnumerable<string> actual)
    {
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in actual)
        {
            remaining[rule] = remaining.GetValueOrDefault(rule) + 1;
        }
        var gone = new List<string>();
        foreach (var rule in wanted)
        {
            if (remaining.GetValueOrDefault(rule) > 0)
            {
                remaining[rule]--;
            }
            else
            {
                gone.Add(rule);
            }
        }
        var added = actual.Where(r =>
        {
            if (remaining.GetValueOrDefault(r) > 0)
            {
                remaining[r]--;
                return true;
            }
            return false;
        }).ToList();
        return (gone, added);
    }
}
