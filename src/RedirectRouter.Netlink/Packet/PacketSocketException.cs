namespace RedirectRouter.Netlink.Packet;

/// <summary>An <c>AF_PACKET</c> socket call failed (open, bind, send or receive of raw link-layer frames).</summary>
public sealed class PacketSocketException : KernelException
{
    /// <summary>Creates the exception.</summary>
    public PacketSocketException(int errno, string operation)
        : base(errno, $"{operation} failed: {Describe(errno)}", null)
    {
        Operation = operation;
    }

    /// <summary>The call that failed, for example <c>bind(AF_PACKET) to interface #3</c>.</summary>
    public string Operation { get; }
}
