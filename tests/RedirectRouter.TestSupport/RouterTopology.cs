using System.Net;

namespace RedirectRouter.TestSupport;

/// <summary>
/// client --veth-- router --veth-- destination, each its own fresh namespace (removed on dispose):
/// <code>
/// client eth0 10.128.0.10/24 fd00:128::10/64 (default via the router)
/// router eth0 10.128.0.2/24 fd00:128::2/64 (cluster side), egress0 192.168.12.99/24 fd00:12::99/64 (forwarding on)
/// dest   eth0 192.168.12.50 + .51/24, fd00:12::50 + ::51/64 (no route back to the cluster network: only SNATed replies return)
/// </code>
/// </summary>
public sealed class RouterTopology : NamespaceGroup
{
    public const string Egress = "egress0";

    public RouterTopology()
    {
        try
        {
            Client = Add("cl");
            Router = Add("rt");
            Destination = Add("ds");
            Router.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", Client.Name);
            Router.Ip("link", "add", Egress, "type", "veth", "peer", "name", "eth0", "netns", Destination.Name);
            Address(Client, "eth0", "10.128.0.10/24", "fd00:128::10/64");
            Address(Router, "eth0", "10.128.0.2/24", "fd00:128::2/64");
            Address(Router, Egress, "192.168.12.99/24", "fd00:12::99/64");
            Address(Destination, "eth0", "192.168.12.50/24", "fd00:12::50/64");
            Address(Destination, "eth0", "192.168.12.51/24", "fd00:12::51/64");
            Client.Ip("route", "add", "default", "via", "10.128.0.2");
            Client.Ip("-6", "route", "add", "default", "via", "fd00:128::2");
            EnableForwarding(Router);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Client { get; }

    public TestNamespace Router { get; }

    public TestNamespace Destination { get; }

    public static IPAddress RouterV4 { get; } = IPAddress.Parse("10.128.0.2");

    public static IPAddress RouterV6 { get; } = IPAddress.Parse("fd00:128::2");
}
