namespace RedirectRouter.TestSupport;

/// <summary>
/// A node with parent NICs for the router's homes, an empty router namespace, and a gateway on the far side of
/// each NIC, each a fresh namespace (removed on dispose):
/// <code>
/// node    nic0..nicN-1 (up, no address)
/// gateway gw0..gwN-1 192.168.(12+i).1/24, the veth peer of nic i
/// router  empty: the code under test builds it
/// </code>
/// </summary>
public sealed class NodeTopology : NamespaceGroup
{
    public NodeTopology(int nics)
    {
        try
        {
            Node = Add("node");
            Router = Add("router");
            Gateway = Add("gw");
            for (var i = 0; i < nics; i++)
            {
                Node.Ip("link", "add", $"nic{i}", "type", "veth", "peer", "name", $"gw{i}", "netns", Gateway.Name);
                Node.Ip("link", "set", $"nic{i}", "up");
                Gateway.Ip("link", "set", $"gw{i}", "up");
                Gateway.Ip("addr", "add", $"192.168.{12 + i}.1/24", "dev", $"gw{i}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Node { get; }

    public TestNamespace Router { get; }

    public TestNamespace Gateway { get; }
}
