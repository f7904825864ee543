namespace RedirectRouter.Netfilter.Nftables;

/// <summary>Compares our rendered table with the one read back.</summary>
internal static class NftVerifier
{
    public static void Compare(NftTable desired, NftTable? live, List<string> missing, List<string> extra)
    {
        var where = desired.Label;
        if (live is null)
        {
            missing.Add($"table {where}");
            return;
        }

        foreach (var map in desired.Maps)
        {
            var actual = live.Maps.FirstOrDefault(m => m.Name == map.Name);
            if (actual is null)
            {
                missing.Add($"{where}: {map.Declaration}");
                continue;
            }
            if (actual.Declaration != map.Declaration)
            {
                missing.Add($"{where}: {map.Declaration}");
                extra.Add($"{where}: {actual.Declaration}");
            }
            var have = actual.Elements.Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);
            var want = map.Elements.Select(e => e.ToString()).ToHashSet(StringComparer.Ordinal);
            missing.AddRange(map.Elements.Where(e => !have.Contains(e.ToString())).Select(e => $"{where} map {map.Name}: {e}"));
            extra.AddRange(actual.Elements.Where(e => !want.Contains(e.ToString())).Select(e => $"{where} map {map.Name}: {e}"));
        }
        extra.AddRange(live.Maps.Where(m => desired.Maps.All(d => d.Name != m.Name)).Select(m => $"{where}: {m.Declaration}"));

        foreach (var chain in desired.Chains)
        {
            var actual = live.Chains.FirstOrDefault(c => c.Name == chain.Name);
            if (actual is null)
            {
                missing.Add($"{where}: {chain.Declaration}");
                missing.AddRange(chain.Rules.Select(r => $"{where} chain {chain.Name}: {r}"));
                continue;
            }
            if (actual.Declaration != chain.Declaration)
            {
                missing.Add($"{where}: {chain.Declaration}");
                extra.Add($"{where}: {actual.Declaration}");
            }
            var remaining = actual.Rules.ToList();
            foreach (var rule in chain.Rules)
            {
                if (!remaining.Remove(rule))
                {
                    missing.Add($"{where} chain {chain.Name}: {rule}");
                }
            }
            extra.AddRange(remaining.Select(r => $"{where} chain {chain.Name}: {r}"));
            if (remaining.Count == 0 && actual.Rules.Count == chain.Rules.Count && !actual.Rules.SequenceEqual(chain.Rules, StringComparer.Ordinal))
            {
                extra.Add($"{where} chain {chain.Name}: rules are out of order");
            }
        }
        foreach (var chain in live.Chains.Where(c => desired.Chains.All(d => d.Name != c.Name)))
        {
            extra.Add($"{where}: {chain.Declaration}");
            extra.AddRange(chain.Rules.Select(r => $"{where} chain {chain.Name}: {r}"));
        }
    }
}
