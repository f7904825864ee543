namespace RedirectRouter.Netlink.Tests.Codec;

internal static class Hex
{
    /// <summary>Parses hex with any white space, so golden bytes can be laid out field by field.</summary>
    public static byte[] Parse(string text) => Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
