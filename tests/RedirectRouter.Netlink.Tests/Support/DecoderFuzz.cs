using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink.Tests.Support;

/// <summary>
/// The malformed-input check shared by the rtnetlink and nf_tables decoder tests: a decoder fed any bytes either
/// decodes or throws <see cref="NetlinkParseException"/>, never anything else.
/// </summary>
internal static class DecoderFuzz
{
    public delegate void Decoder(ReadOnlySpan<byte> payload);

    /// <summary>Fills the random bytes of one payload with plausible structure (headers, attribute lengths).</summary>
    public delegate void Shaper(Random random, Span<byte> payload);

    /// <summary>Runs every decoder on <paramref name="payload"/>; any exception but a parse error fails with the decoder and the bytes.</summary>
    public static void OnlyParseErrors(ReadOnlySpan<byte> payload, IEnumerable<(string Name, Decoder Decode)> decoders)
    {
        var bytes = payload.ToArray();
        foreach (var (name, decode) in decoders)
        {
            var thrown = Record.Exception(() => decode(bytes));
            if (thrown is not null and not NetlinkParseException)
            {
                Assert.Fail($"{name} threw {thrown.GetType().Name} ({thrown.Message}) for {Convert.ToHexString(bytes)}");
            }
        }
    }

    /// <summary>
    /// Feeds <paramref name="count"/> random payloads of <paramref name="minLength"/> to <paramref name="bufferSize"/>
    /// bytes (seeded, so a failure repeats), each optionally shaped, to <paramref name="check"/>.
    /// </summary>
    public static void RandomPayloads(int seed, int bufferSize, int minLength, Shaper? shape, Decoder check, int count = 20_000)
    {
        var random = new Random(seed);
        var buffer = new byte[bufferSize];
        for (var i = 0; i < count; i++)
        {
            var length = minLength + random.Next(bufferSize - minLength);
            var payload = buffer.AsSpan(0, length);
            random.NextBytes(payload);
            shape?.Invoke(random, payload);
            check(payload);
        }
    }
}
