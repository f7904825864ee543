using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using RedirectRouter.Netlink.Tests.Codec;

namespace RedirectRouter.Netlink.Tests.NfTables;

/// <summary>
/// One capture in TestData: the messages nft sent ("send") and received ("recv") for one operation, as recorded
/// by TestData/capture.sh (the exact nft command is in each file's header).
/// </summary>
internal sealed class NftCapture
{
    private NftCapture(string name, IReadOnlyList<byte[]> sent, IReadOnlyList<byte[]> received)
    {
        Name = name;
        Sent = sent;
        Received = received;
    }

    public string Name { get; }

    public IReadOnlyList<byte[]> Sent { get; }

    public IReadOnlyList<byte[]> Received { get; }

    public static NftCapture Load(string name)
    {
        var path = Path.Combine(Directory(), "TestData", name + ".txt");
        var sent = new List<byte[]>();
        var received = new List<byte[]>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.StartsWith("send ", StringComparison.Ordinal))
            {
                sent.Add(Hex.Parse(line[5..]));
            }
            else if (line.StartsWith("recv ", StringComparison.Ordinal))
            {
                received.Add(Hex.Parse(line[5..]));
            }
        }

        return new NftCapture(name, sent, received);
    }

    /// <summary>The messages from NFNL_MSG_BATCH_BEGIN to NFNL_MSG_BATCH_END, inclusive.</summary>
    public IReadOnlyList<byte[]> Batch()
    {
        var begin = Sent.ToList().FindLastIndex(m => TypeOf(m) == 0x10);
        var end = Sent.ToList().FindLastIndex(m => TypeOf(m) == 0x11);
        Assert.True(begin >= 0 && end > begin, $"{Name}: no batch in the capture");
        return Sent.Skip(begin).Take(end - begin + 1).ToArray();
    }

    /// <summary>The one sent message of <paramref name="type"/>.</summary>
    public byte[] SentOfType(ushort type) => Assert.Single(Sent, m => TypeOf(m) == type);

    /// <summary>The received messages of <paramref name="type"/>.</summary>
    public IReadOnlyList<byte[]> ReceivedOfType(ushort type) => Received.Where(m => TypeOf(m) == type).ToArray();

    public static ushort TypeOf(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);

    /// <summary>
    /// The message without one top-level attribute (after the 4-byte nfgenmsg), its length fixed up: nft adds
    /// NFTA_SET_ELEM_LIST_SET_ID to element additions, an id for sets created in the same batch that the kernel
    /// does not need when the set is named; we leave it out.
    /// </summary>
    public static byte[] WithoutAttribute(byte[] message, ushort type)
    {
        var output = new List<byte>(message[..20]);
        var position = 20;
        while (position + 4 <= message.Length)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(position));
            var attributeType = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(position + 2)) & 0x3fff);
            var aligned = Math.Min((length + 3) & ~3, message.Length - position);
            if (attributeType != type)
            {
                output.AddRange(message.AsSpan(position, aligned).ToArray());
            }

            position += aligned;
        }

        var result = output.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)result.Length);
        return result;
    }

    private static string Directory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
