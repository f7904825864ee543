using System.Runtime.InteropServices;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Protocol;

/// <summary>
/// Walks the messages in one datagram from the kernel (<c>NLMSG_OK</c>/<c>NLMSG_NEXT</c>).
/// A truncated or inconsistent header stops the walk and sets <see cref="Error"/>; it never throws.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    /// <summary>Creates a reader over a received datagram.</summary>
    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        Error = null;
    }

    /// <summary>Why reading stopped early, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads the next message header and its payload (the bytes after the header).</summary>
    public bool TryRead(out NlMsgHdr header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        if (Error is not null || _remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < NlMsgHdr.Size)
        {
            Error = $"truncated message header: {_remaining.Length} bytes";
            return false;
        }

        header = MemoryMarshal.Read<NlMsgHdr>(_remaining);
        if (header.Length < NlMsgHdr.Size || header.Length > _remaining.Length)
        {
            Error = $"message length {header.Length} does not fit the {_remaining.Length} bytes received";
            return false;
        }

        payload = _remaining[NlMsgHdr.Size..(int)header.Length];
        var advance = Math.Min(NetlinkAlignment.Align((int)header.Length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }

    /// <summary>Reads a fixed header from the start of a payload, or throws a parse error when it is too short.</summary>
    public static T ReadHeader<T>(ReadOnlySpan<byte> payload, string what) where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (payload.Length < size)
        {
            throw new NetlinkParseException($"{what}: expected a {size}-byte header, got {payload.Length} bytes");
        }

        return MemoryMarshal.Read<T>(payload);
    }

    /// <summary>The attributes that follow a fixed header of type <typeparamref name="T"/>.</summary>
    public static ReadOnlySpan<byte> AttributesAfter<T>(ReadOnlySpan<byte> payload) where T : unmanaged
    {
        var offset = NetlinkAlignment.Align(System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        return payload.Length > offset ? payload[offset..] : [];
    }
}
