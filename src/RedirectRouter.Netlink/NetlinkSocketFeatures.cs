namespace RedirectRouter.Netlink;

/// <summary>
/// Which optional socket options the kernel accepted. Old kernels (RHEL 7's 3.10) refuse all three,
/// so they are enabled best-effort and remembered rather than required.
/// </summary>
/// <param name="ExtendedAck"><c>NETLINK_EXT_ACK</c>: errors carry a message (kernel 4.12+).</param>
/// <param name="CapAck"><c>NETLINK_CAP_ACK</c>: acknowledgements leave out the request payload (kernel 4.2+).</param>
/// <param name="StrictCheck"><c>NETLINK_GET_STRICT_CHK</c>: dump filters are honoured and checked (kernel 4.20+).</param>
public sealed record NetlinkSocketFeatures(bool ExtendedAck, bool CapAck, bool StrictCheck);
