namespace RedirectRouter.Netlink.Protocol;

/// <summary>A netlink message from the kernel could not be decoded (truncated or malformed).</summary>
internal sealed class NetlinkParseException : Exception
{
    /// <summary>Creates the exception with a description of what was malformed.</summary>
    public NetlinkParseException(string message) : base(message)
    {
    }
}
