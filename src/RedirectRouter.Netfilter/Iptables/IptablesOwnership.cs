namespace RedirectRouter.Netfilter.Iptables;

/// <summary>
/// Which <c>RR-*</c> chains are ours: a chain of that name alone proves nothing (another tool may use the prefix),
/// so a chain is ours only when a jump carrying our comment (<c>-m comment --comment redirect-router</c>) leads
/// to it from outside our chains. Cleanup deletes only those jumps and those chains.
/// </summary>
public static class IptablesOwnership
{
    /// <summary>The comment on every jump from a built-in chain into one of ours.</summary>
    public const string JumpComment = "redirect-router";

    /// <summary>The match and target of our jump to <paramref name="chain"/>, as iptables-save prints it.</summary>
    public static string JumpSpec(string chain) => $"-m comment --comment {JumpComment} -j {chain}";

    /// <summary>Our chains in an <c>iptables-save</c> dump, as <c>LABEL TABLE CHAIN</c>.</summary>
    public static IReadOnlyList<string> OwnedChains(string saveOutput, string label)
    {
        ArgumentNullException.ThrowIfNull(saveOutput);
        var state = IptablesSaveState.Parse(saveOutput);
        return state.Tables.SelectMany(t => OwnedChains(t.Value).Select(c => $"{label} {t.Key} {c}")).ToList();
    }

    /// <summary>Our chains in one table of a dump.</summary>
    internal static IReadOnlyList<string> OwnedChains(SavedTable table) =>
        table.Chains.Where(c => c.StartsWith(IptablesRenderer.ChainPrefix, StringComparison.Ordinal)
                && table.Rules.Any(chain => !chain.Key.StartsWith(IptablesRenderer.ChainPrefix, StringComparison.Ordinal)
                    && chain.Value.Any(r => r.Target == c && IsMarked(r))))
            .ToList();

    /// <summary>Whether a rule carries our comment.</summary>
    internal static bool IsMarked(SavedRule rule)
    {
        var tokens = Tokens.Of(rule.Text);
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            if (tokens[i] == "--comment" && tokens[i + 1].Trim('"') == JumpComment)
            {
                return true;
            }
        }
        return false;
    }
}
