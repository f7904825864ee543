using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RedirectRouter.Netlink.NfTables;

/// <summary>
/// The data of a map element: <c>addr . port</c> (<see cref="NfMapKind.Ports"/>), <c>addr</c>
/// (<see cref="NfMapKind.Ranges"/>) or a mark (<see cref="NfMapKind.Marks"/>). Held as bytes, not as an
/// <see cref="IPAddress"/> object, so a large map stays compact.
/// </summary>
public readonly record struct NfMapValue
{
    private readonly UInt128 _address;
    private readonly byte _addressLength;

    private NfMapValue(UInt128 address, byte addressLength, ushort port, uint mark)
    {
        _address = address;
        _addressLength = addressLength;
        Port = port;
        Mark = mark;
    }

    /// <summary>The port of an <c>addr . port</c> value; 0 otherwise.</summary>
    public ushort Port { get; }

    /// <summary>The mark of a mark value; 0 otherwise.</summary>
    public uint Mark { get; }

    /// <summary>True when the value holds an address.</summary>
    public bool HasAddress => _addressLength != 0;

    /// <summary>The address, or null for a mark value.</summary>
    public IPAddress? Address
    {
        get
        {
            if (_addressLength == 0)
            {
                return null;
            }

            Span<byte> bytes = stackalloc byte[16];
            WriteAddress(bytes);
            return new IPAddress(bytes[.._addressLength]);
        }
    }

    /// <summary>The address length: 4, 16, or 0 for a mark.</summary>
    public int AddressLength => _addressLength;

    /// <summary><c>addr . port</c>.</summary>
    public static NfMapValue To(IPAddress address, ushort port) => FromAddress(address, port);

    /// <summary><c>addr</c>.</summary>
    public static NfMapValue To(IPAddress address) => FromAddress(address, 0);

    /// <summary>A mark.</summary>
    public static NfMapValue WithMark(uint mark) => new(UInt128.Zero, 0, 0, mark);

    /// <summary>Creates a value from address bytes in network order (4 or 16).</summary>
    internal static NfMapValue FromAddressBytes(ReadOnlySpan<byte> address, ushort port)
    {
        Span<byte> padded = stackalloc byte[16];
        padded.Clear();
        address.CopyTo(padded);
        return new NfMapValue(BinaryPrimitives.ReadUInt128BigEndian(padded), (byte)address.Length, port, 0);
    }

    /// <summary>Writes the address in network order; returns its length.</summary>
    internal int WriteAddress(Span<byte> target)
    {
        Span<byte> padded = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(padded, _address);
        padded[.._addressLength].CopyTo(target);
        return _addressLength;
    }

    /// <summary>As nft prints it: <c>10.0.0.5 . 80</c>, <c>10.0.0.6</c>, <c>0x00000010</c>.</summary>
    public override string ToString() => Address switch
    {
        null => "0x" + Mark.ToString("x8", CultureInfo.InvariantCulture),
        var address when Port != 0 => string.Create(CultureInfo.InvariantCulture, $"{address} . {Port}"),
        var address => address.ToString(),
    };

    private static NfMapValue FromAddress(IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"{address} is not an IPv4 or IPv6 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return FromAddressBytes(bytes[..written], port);
    }
}
