using System.Globalization;
using System.Text;

namespace RedirectRouter.Core.Rendering;

/// <summary>
/// Makes names and values safe to print: kernel names (the kernel allows ESC and most control bytes in an
/// interface name), configuration values and tool output must not move the cursor, recolour or retitle a
/// terminal, or start a line of their own. One function for every text output (diag, plan, validate), and
/// one for names pasted into suggested shell commands.
/// </summary>
public static class TextEscaping
{
    /// <summary>
    /// <paramref name="text"/> with every control character (C0, DEL, C1), invisible formatting character
    /// (bidirectional overrides, zero-width), line or paragraph separator, lone surrogate and U+FFFD (what
    /// invalid UTF-8 decodes to) written C-style: <c>\x1b</c>, <c>\u202e</c>. Printable text, non-ASCII
    /// letters included, is unchanged. With <paramref name="keepLayout"/>, line feeds and tabs the caller
    /// wrote on purpose (a multi-line ruleset) are kept.
    /// </summary>
    public static string Escape(string? text, bool keepLayout = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }
        var i = 0;
        while (i < text.Length && !NeedsEscape(text, i, keepLayout))
        {
            i++;
        }
        if (i == text.Length)
        {
            return text;
        }
        var output = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // A valid pair: printable unless it is a format or private character.
                var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
                if (category is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned)
                {
                    output.Append(CultureInfo.InvariantCulture, $"\\U{char.ConvertToUtf32(c, text[i + 1]):x8}");
                }
                else
                {
                    output.Append(c).Append(text[i + 1]);
                }
                i++;
                continue;
            }
            if (!NeedsEscape(text, i, keepLayout))
            {
                output.Append(c);
            }
            else if (c < 0x100)
            {
                output.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
        }
        return output.ToString();
    }

    /// <summary>
    /// <paramref name="word"/> as one shell word that expands to exactly itself and runs nothing: bare when it is
    /// plain (<c>[A-Za-z0-9_.-]</c>, and not starting with <c>-</c>), in single quotes (<c>'</c> written
    /// <c>'\''</c>) when it is printable, and as <c>$'...'</c> with C escapes when it holds control characters.
    /// </summary>
    public static string ShellQuote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word[0] != '-' && word.All(IsPlain))
        {
            return word;
        }
        if (!word.Any(c => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
        {
            return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }
        // Bash, ksh, zsh and POSIX sh (2024) read $'...' with C escapes; the bytes are the name's UTF-8.
        var output = new StringBuilder("$'");
        foreach (var b in Encoding.UTF8.GetBytes(word))
        {
            output.Append(b switch
            {
                (byte)'\'' => "\\'",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"),
            });
        }
        return output.Append('\'').ToString();
    }

    private static bool IsPlain(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-';

    private static bool NeedsEscape(string text, int i, bool keepLayout)
    {
        var c = text[i];
        if (c < 0x7f)
        {
            return c < 0x20 && !(keepLayout && c is '\n' or '\t');
        }
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]) || CharUnicodeInfo.GetUnicodeCategory(text, i) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned;
        }
        if (char.IsLowSurrogate(c))
        {
            // Reached only when not preceded by a high surrogate (pairs are consumed together).
            return i == 0 || !char.IsHighSurrogate(text[i - 1]);
        }
        return c == '\uFFFD' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned;
    }
}
