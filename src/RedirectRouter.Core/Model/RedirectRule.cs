using System.Net;

namespace RedirectRouter.Core.Model;

/// <summary>Traffic arriving on <see cref="LocalPorts"/> is sent to <see cref="Destination"/>.</summary>
/// <param name="Protocol">The transport protocol.</param>
/// <param name="LocalPorts">The port (or range) clients connect to on the router.</param>
/// <param name="Destination">The real destination.</param>
/// <param name="TargetPorts">The destination port (or range of the same width); null = unchanged.</param>
/// <param name="Home">The home the traffic leaves by; null = the home whose routes cover the destination, else the first.</param>
public sealed record RedirectRule(Protocol Protocol, PortRange LocalPorts, IPAddress Destination, PortRange? TargetPorts, string? Home);
