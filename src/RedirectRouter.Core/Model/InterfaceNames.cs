using System.Globalization;

namespace RedirectRouter.Core.Model;

/// <summary>
/// The one rule for every name that reaches the kernel or a rendered ruleset: 1..15 bytes of
/// <c>[A-Za-z0-9_.-]</c>, not "." or "..". Stricter than the kernel (dev_valid_name), on purpose: no character
/// that a ruleset language gives a meaning (quotes, <c>;</c>, <c>#</c>, braces, the wildcards <c>+</c> and
/// <c>*</c>, backslash), no control or non-ASCII character.
/// </summary>
public static class InterfaceNames
{
    /// <summary>IFNAMSIZ minus the terminating NUL.</summary>
    public const int MaxLength = 15;

    /// <summary>What the rule allows, in words (for hints and errors).</summary>
    public const string RuleText = "1 to 15 characters of A-Z a-z 0-9 _ . -, not '.' or '..'";

    /// <summary>Whether <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name)
        && name.Length <= MaxLength
        && name is not "." and not ".."
        && name.All(IsAllowed);

    /// <summary>Whether <paramref name="name"/> may name a home: the same shape as an interface name (it appears in metrics labels and output).</summary>
    public static bool IsValidHomeName(string? name) => IsValid(name);

    /// <summary><paramref name="text"/> with every character outside printable ASCII shown as \uXXXX, so an error message cannot be forged by the value it reports.</summary>
    public static string Printable(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")));

    private static bool IsAllowed(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-';
}
