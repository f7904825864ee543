using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using RedirectRouter.Netlink.Interop;

namespace RedirectRouter.Netlink.Protocol;

/// <summary>
/// Writes netlink messages into a caller-owned buffer. Lengths of messages, nested attributes and
/// multipath next hops are written when their scope ends (back-patched), so callers never compute
/// sizes. Several messages may be written one after another for a batched send.
/// </summary>
internal ref struct NetlinkMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    /// <summary>Creates a writer over <paramref name="buffer"/>.</summary>
    public NetlinkMessageWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>How many bytes have been written.</summary>
    public readonly int Length => _position;

    /// <summary>How many bytes are left in the buffer.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Starts a message; finish it with <see cref="EndMessage"/>.</summary>
    public MessageScope BeginMessage(ushort type, NetlinkFlags flags, uint sequence, uint portId = 0)
    {
        var start = _position;
        WriteStruct(new NlMsgHdr { Length = 0, Type = type, Flags = (ushort)flags, Sequence = sequence, PortId = portId });
        return new MessageScope(start);
    }

    /// <summary>Writes the message length into its header.</summary>
    public readonly void EndMessage(MessageScope scope)
    {
        var length = _position - scope.Start;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[scope.Start..], (uint)length);
    }

    /// <summary>Writes a fixed header structure (such as <see cref="RtMsg"/>), padded to four bytes.</summary>
    public void WriteStruct<T>(in T value) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        var target = Reserve(NetlinkAlignment.Align(size));
        MemoryMarshal.Write(target, in value);
        target[size..].Clear();
    }

    /// <summary>Writes an attribute with a raw payload.</summary>
    public void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> payload)
    {
        var total = NlAttr.Size + payload.Length;
        var target = Reserve(NetlinkAlignment.Align(total));
        MemoryMarshal.Write(target, new NlAttr { Length = (ushort)total, Type = type });
        payload.CopyTo(target[NlAttr.Size..]);
        target[total..].Clear();
    }

    /// <summary>Writes an attribute holding one byte.</summary>
    public void WriteAttributeByte(ushort type, byte value) => WriteAttribute(type, [value]);

    /// <summary>Writes an attribute holding a host-order 16-bit value.</summary>
    public void WriteAttributeUInt16(ushort type, ushort value)
    {
        Span<byte> payload = stackalloc byte[2];
        MemoryMarshal.Write(payload, in value);
        WriteAttribute(type, payload);
    }

    /// <summary>Writes an attribute holding a host-order 32-bit value.</summary>
    public void WriteAttributeUInt32(ushort type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        MemoryMarshal.Write(payload, in value);
        WriteAttribute(type, payload);
    }

    /// <summary>Writes an attribute holding a host-order signed 32-bit value.</summary>
    public void WriteAttributeInt32(ushort type, int value) => WriteAttributeUInt32(type, unchecked((uint)value));

    /// <summary>Writes a NUL-terminated string attribute.</summary>
    public void WriteAttributeString(ushort type, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> payload = byteCount < 256 ? stackalloc byte[byteCount + 1] : new byte[byteCount + 1];
        Encoding.UTF8.GetBytes(value, payload);
        payload[byteCount] = 0;
        WriteAttribute(type, payload);
    }

    /// <summary>Writes an IP address attribute in network byte order (4 or 16 bytes).</summary>
    public void WriteAttributeAddress(ushort type, IPAddress address)
    {
        Span<byte> payload = stackalloc byte[16];
        if (!address.TryWriteBytes(payload, out var written))
        {
            throw new ArgumentException($"Cannot encode address {address}.", nameof(address));
        }

        WriteAttribute(type, payload[..written]);
    }

    /// <summary>Starts a nested attribute; finish it with <see cref="EndNested"/>.</summary>
    public NestedScope BeginNested(ushort type)
    {
        var start = _position;
        var target = Reserve(NlAttr.Size);
        MemoryMarshal.Write(target, new NlAttr { Length = 0, Type = type });
        return new NestedScope(start);
    }

    /// <summary>Writes the nested attribute's length, covering everything written since it began.</summary>
    public readonly void EndNested(NestedScope scope)
    {
        var length = _position - scope.Start;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[scope.Start..], checked((ushort)length));
    }

    /// <summary>Starts one <c>rtnexthop</c> inside <c>RTA_MULTIPATH</c>; finish it with <see cref="EndNextHop"/>.</summary>
    public NestedScope BeginNextHop(byte flags, byte hops, int interfaceIndex)
    {
        var start = _position;
        WriteStruct(new RtNextHop { Length = 0, Flags = flags, Hops = hops, Index = interfaceIndex });
        return new NestedScope(start);
    }

    /// <summary>Writes the next hop's length (<c>rtnh_len</c>).</summary>
    public readonly void EndNextHop(NestedScope scope) => EndNested(scope);

    private Span<byte> Reserve(int count)
    {
        if (count > Remaining)
        {
            throw new InvalidOperationException(
                $"The netlink message does not fit its {_buffer.Length}-byte buffer ({_position} used, {count} more needed).");
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Marks where a message begins, for <see cref="EndMessage"/>.</summary>
    public readonly record struct MessageScope(int Start);

    /// <summary>Marks where a nested attribute or next hop begins.</summary>
    public readonly record struct NestedScope(int Start);
}
