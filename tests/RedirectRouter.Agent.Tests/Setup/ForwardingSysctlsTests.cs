using System.Net.Sockets;
using RedirectRouter.Agent.Network;
using RedirectRouter.Agent.Setup;

namespace RedirectRouter.Agent.Tests.Setup;

public sealed class ForwardingSysctlsTests
{
    // sysfs files without a store method refuse to be opened for writing, even by root: stand-ins for
    // /proc/sys in a non-privileged container (read-only there).
    private const string UnwritableOne = "/sys/class/net/lo/ifindex"; // reads "1"
    private const string UnwritableOther = "/sys/class/net/lo/type"; // reads "772"

    [Fact]
    public void ASettingThatIsOffIsWrittenAndReported()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "0\n");
            var changed = ForwardingSysctls.Enable([AddressFamily.InterNetwork, AddressFamily.InterNetwork], _ => file);
            Assert.Equal([file], changed);
            Assert.Equal("1", File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ASettingThatIsOnIsNotWrittenSoAReadOnlyProcSysIsFine()
    {
        Assert.Equal("1", File.ReadAllText(UnwritableOne).Trim());
        Assert.Empty(ForwardingSysctls.Enable([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], _ => UnwritableOne));
    }

    [Fact]
    public void ASettingThatIsOffAndCannotBeWrittenIsASetupErrorNamingTheSysctlAndTheRemedy()
    {
        var e = Assert.Throws<SetupException>(() => ForwardingSysctls.Enable([AddressFamily.InterNetworkV6], _ => UnwritableOther));
        Assert.Equal("forwarding", e.Step);
        Assert.Contains("net.ipv6.conf.all.forwarding is off", e.Message, StringComparison.Ordinal);
        Assert.Contains(UnwritableOther, e.Message, StringComparison.Ordinal);
        Assert.Contains("securityContext.sysctls", e.Message, StringComparison.Ordinal);
        Assert.Contains("--allowed-unsafe-sysctls=net.ipv6.conf.all.forwarding", e.Message, StringComparison.Ordinal);
        Assert.Equal("772", File.ReadAllText(UnwritableOther).Trim());

        var v4 = Assert.Throws<SetupException>(() => ForwardingSysctls.Enable([AddressFamily.InterNetwork], _ => UnwritableOther));
        Assert.Contains("net.ipv4.ip_forward is off", v4.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingSettingIsASetupErrorToo()
    {
        var e = Assert.Throws<SetupException>(() => ForwardingSysctls.Enable([AddressFamily.InterNetworkV6], _ => "/proc/sys/net/no-such-setting"));
        Assert.Contains("/proc/sys/net/no-such-setting", e.Message, StringComparison.Ordinal);
    }
}
