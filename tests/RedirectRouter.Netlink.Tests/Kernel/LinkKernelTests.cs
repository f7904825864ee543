using System.Text.Json;
using RedirectRouter.Netlink.Model;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Netlink.Tests.Kernel;

/// <summary>Links created through our netlink layer, checked with <c>ip -j</c> as the witness.</summary>
public sealed class LinkKernelTests
{
    [Theory]
    [InlineData(MacvlanMode.Private, "private")]
    [InlineData(MacvlanMode.Bridge, "bridge")]
    [InlineData(MacvlanMode.Vepa, "vepa")]
    [InlineData(MacvlanMode.Passthru, "passthru")]
    public void MacvlanIsCreatedOnAParentInOneNamespaceAndAppearsUpInAnother(MacvlanMode mode, string ipModeName)
    {
        using var node = TestNamespace.Create("node");
        using var pod = TestNamespace.Create("pod");
        node.Ip("link", "add", "nic0", "type", "veth", "peer", "name", "nic0-peer");
        node.Ip("link", "set", "nic0", "up");

        using (var nodeHandle = NetlinkHandle.OpenIn(node.Handle))
        {
            var parent = nodeHandle.LinkGetByName("nic0") ?? throw new InvalidOperationException("nic0 missing");
            nodeHandle.LinkAdd(new MacvlanLinkSpec { Name = "macvlan0", ParentIndex = parent.Index, Mode = mode, Mtu = 1400, TargetNamespace = pod.Handle });
            Assert.Null(nodeHandle.LinkGetByName("macvlan0"));
        }

        using var podHandle = NetlinkHandle.OpenIn(pod.Handle);
        var link = podHandle.LinkGetByName("macvlan0") ?? throw new InvalidOperationException("macvlan0 did not arrive in the pod namespace");
        podHandle.LinkSetUp(link.Index);
        podHandle.LinkSetAlias(link.Index, "made-by-test");

        var witness = pod.IpJson("-d", "link", "show", "macvlan0")[0];
        Assert.Equal("macvlan", witness.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(ipModeName, witness.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        Assert.Equal(1400, witness.GetProperty("mtu").GetInt32());
        Assert.Equal("made-by-test", witness.GetProperty("ifalias").GetString());
        Assert.Contains("UP", witness.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(JsonValueKind.Array, node.IpJson("link", "show", "nic0").ValueKind);
        Assert.Empty(node.IpJson("link", "show", "type", "macvlan").EnumerateArray());

        var listed = podHandle.LinkList().Single(l => l.Name == "macvlan0");
        Assert.Equal(mode, listed.MacvlanMode);
        Assert.True(listed.IsUp);
        Assert.True(listed.ParentInOtherNamespace);
        Assert.Equal(witness.GetProperty("address").GetString(), HardwareAddress.Format(listed.MacAddress!));
        Assert.Equal("made-by-test", listed.Alias);
    }

    [Fact]
    public void MtuRenameDownAndDeleteAreVisibleToIp()
    {
        using var ns = TestNamespace.Create("link");
        ns.Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        var v0 = handle.LinkGetByName("v0")!;

        handle.LinkSetMtu(v0.Index, 1280);
        handle.LinkSetName(v0.Index, "renamed0");
        handle.LinkSetUp(v0.Index);
        var witness = ns.IpJson("link", "show", "renamed0")[0];
        Assert.Equal(1280, witness.GetProperty("mtu").GetInt32());
        Assert.Contains("UP", witness.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        handle.LinkSetDown(v0.Index);
        Assert.DoesNotContain("UP", ns.IpJson("link", "show", "renamed0")[0].GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        handle.LinkDelete(v0.Index);
        Assert.NotEqual(0, ns.TryIp("link", "show", "renamed0").ExitCode);
        Assert.Null(handle.LinkGetByIndex(v0.Index));
    }

    [Fact]
    public void VethPeerAndBridgeAreCreatedAcrossNamespaces()
    {
        using var a = TestNamespace.Create("veth-a");
        using var b = TestNamespace.Create("veth-b");
        using var handle = NetlinkHandle.OpenIn(a.Handle);
        handle.LinkAdd(new VethLinkSpec { Name = "left", PeerName = "right", PeerNamespace = b.Handle });
        handle.LinkAdd(new BridgeLinkSpec { Name = "br0" });
        var bridge = handle.LinkGetByName("br0")!;
        handle.LinkSetMaster(handle.LinkGetByName("left")!.Index, bridge.Index);

        Assert.Equal("veth", a.IpJson("-d", "link", "show", "left")[0].GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal("br0", a.IpJson("link", "show", "left")[0].GetProperty("master").GetString());
        Assert.Equal("veth", b.IpJson("-d", "link", "show", "right")[0].GetProperty("linkinfo").GetProperty("info_kind").GetString());
    }

    [Fact]
    public void DuplicateLinkIsATypedEexist()
    {
        using var ns = TestNamespace.Create("dup");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        handle.LinkAdd(new BridgeLinkSpec { Name = "br0" });
        var e = Assert.Throws<NetlinkException>(() => handle.LinkAdd(new BridgeLinkSpec { Name = "br0" }));
        Assert.Equal(Errors.EEXIST, e.Errno);
        Assert.True(e.IsAlreadyExists);
        Assert.Contains("RTM_NEWLINK", e.Message);
    }

    [Fact]
    public void MissingLinkIsNullOnGetAndTypedOnDelete()
    {
        using var ns = TestNamespace.Create("missing");
        using var handle = NetlinkHandle.OpenIn(ns.Handle);
        Assert.Null(handle.LinkGetByName("nothere0"));
        var e = Assert.Throws<NetlinkException>(() => handle.LinkDelete(4242));
        Assert.Equal(Errors.ENODEV, e.Errno);
        Assert.True(e.IsNotFound);
    }
}
