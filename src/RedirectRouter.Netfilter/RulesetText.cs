using RedirectRouter.Core.Model;

namespace RedirectRouter.Netfilter;

/// <summary>
/// The one way a name gets into a rendered ruleset, for both backends: a name outside the name rule
/// (<see cref="InterfaceNames"/>) is an error here, not text for <c>nft -f</c> or <c>iptables-restore</c> to
/// interpret. The validator rejects such names first; this check keeps a value that bypassed it (a model built
/// in code, a future input) from injecting rules or matching as a wildcard.
/// </summary>
public static class RulesetText
{
    /// <summary>
    /// <paramref name="name"/> as it is written into a ruleset: bare (iptables), or in double quotes (nft, where
    /// the rule leaves nothing inside the quotes that nft would read as a quote, an escape or a wildcard).
    /// </summary>
    /// <exception cref="ArgumentException">The name is outside the rule.</exception>
    public static string Name(string name, bool quoted)
    {
        if (!InterfaceNames.IsValid(name))
        {
            throw new ArgumentException(
                $"'{InterfaceNames.Printable(name ?? "")}' cannot be written into a ruleset: names are {InterfaceNames.RuleText}", nameof(name));
        }
        return quoted ? $"\"{name}\"" : name;
    }
}
