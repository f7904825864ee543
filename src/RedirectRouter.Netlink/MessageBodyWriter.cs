using RedirectRouter.Netlink.Protocol;

namespace RedirectRouter.Netlink;

/// <summary>Writes the body (fixed header and attributes) of one request for <paramref name="state"/>.</summary>
internal delegate void MessageBodyWriter<in TState>(ref NetlinkMessageWriter writer, TState state);

/// <summary>Decodes one reply payload; returns null to skip an entry (another family, for example).</summary>
internal delegate TItem? PayloadDecoder<TItem>(ReadOnlySpan<byte> payload) where TItem : class;
