using System.Buffers.Binary;
using System.Net;
using System.Text;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Protocol;

/// <summary>
/// Walks the attributes of a message payload. <see cref="TryRead"/> stops at the end or at the first
/// malformed attribute; a malformed one sets <see cref="Error"/>, which stays set. It never throws and never logs.
/// </summary>
internal ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    /// <summary>Creates a reader over a run of attributes.</summary>
    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        Error = null;
    }

    /// <summary>Why reading stopped early, or null when every attribute was well formed.</summary>
    public string? Error { get; private set; }

    /// <summary>Reads the next attribute; its type has the nested and byte-order flags masked off.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> payload)
    {
        type = 0;
        payload = default;
        if (Error is not null || _remaining.Length < NlAttr.Size)
        {
            // Fewer than four trailing bytes are alignment padding, not an error.
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        var rawType = BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]);
        if (length < NlAttr.Size || length > _remaining.Length)
        {
            Error = $"attribute type {rawType & NetlinkAttributeFlags.TypeMask} has length {length}, but {_remaining.Length} bytes remain";
            return false;
        }

        type = (ushort)(rawType & NetlinkAttributeFlags.TypeMask);
        payload = _remaining[NlAttr.Size..length];
        var advance = Math.Min(NetlinkAlignment.Align(length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }

    /// <summary>Reads a host-order 32-bit value, or throws a parse error when the payload is too short.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 4
            ? BinaryPrimitives.ReadUInt32LittleEndian(payload)
            : throw new NetlinkParseException($"{what}: expected 4 bytes, got {payload.Length}");

    /// <summary>Reads a host-order 16-bit value, or throws a parse error when the payload is too short.</summary>
    public static ushort ReadUInt16(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(payload)
            : throw new NetlinkParseException($"{what}: expected 2 bytes, got {payload.Length}");

    /// <summary>Reads one byte, or throws a parse error when the payload is empty.</summary>
    public static byte ReadByte(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 1 ? payload[0] : throw new NetlinkParseException($"{what}: empty payload");

    /// <summary>Reads a NUL-terminated (or unterminated) UTF-8 string.</summary>
    public static string ReadString(ReadOnlySpan<byte> payload)
    {
        var end = payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? payload[..end] : payload);
    }

    /// <summary>Reads an IPv4 or IPv6 address, or throws a parse error for any other length.</summary>
    public static IPAddress ReadAddress(ReadOnlySpan<byte> payload, string what) =>
        payload.Length is 4 or 16
            ? new IPAddress(payload)
            : throw new NetlinkParseException($"{what}: an address must be 4 or 16 bytes, got {payload.Length}");
}
