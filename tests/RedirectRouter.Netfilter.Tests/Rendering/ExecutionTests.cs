using System.Net.Sockets;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netfilter.Iptables;
using RedirectRouter.Netfilter.Tests.Support;

namespace RedirectRouter.Netfilter.Tests.Rendering;

public sealed class ExecutionTests
{
    [Theory]
    [InlineData("iptables v1.8.9 (nf_tables)", "1.8.9", IptablesVariant.NfTables)]
    [InlineData("iptables v1.8.9 (legacy)", "1.8.9", IptablesVariant.Legacy)]
    [InlineData("iptables v1.4.21", "1.4.21", IptablesVariant.Legacy)]
    [InlineData("nftables v1.0.6 (Lester Gooch #5)", "1.0.6", IptablesVariant.Legacy)]
    public void VersionsParse(string text, string version, IptablesVariant variant)
    {
        Assert.Equal((Version.Parse(version), variant), NetfilterProbe.ParseVersion(text));
    }

    [Fact]
    public void OldIptablesHasNoRestoreWaitNorPortShift()
    {
        var rhel7 = Capabilities(new Version(1, 4, 21), IptablesVariant.Legacy, kernel: new Version(3, 10));
        Assert.False(rhel7.RestoreSupportsWait);
        Assert.False(rhel7.DnatPortShift);
        Assert.Equal(Core.Model.NetfilterBackend.Iptables, rhel7.Choose(Core.Model.NetfilterBackend.Auto));
        Assert.Throws<NetfilterException>(() => rhel7.Choose(Core.Model.NetfilterBackend.Nftables));
    }

    [Fact]
    public void ToolsForAnotherNamespaceRunThroughNsenter()
    {
        var (program, arguments) = NetfilterTarget.Named("x").Wrap("nft", ["-f", "-"]);
        Assert.Equal("nsenter", program);
        Assert.Equal(["--net=/run/netns/x", "--", "nft", "-f", "-"], arguments);
        (program, arguments) = NetfilterTarget.Current.Wrap("nft", ["-f", "-"]);
        Assert.Equal("nft", program);
        Assert.Equal(["-f", "-"], arguments);
    }

    [Fact]
    public void RejectionQuotesTheOffendingLineWithContext()
    {
        var payload = "*nat\n:RR-DNAT - [0:0]\n-A RR-DNAT -j NOPE\nCOMMIT\n";
        var error = PayloadErrors.Rejected("iptables-restore", new CommandResult(2, "", "iptables-restore: Couldn't load target `NOPE'\nError occurred at line: 3\n"), payload);

        Assert.Equal(3, error.OffendingLine);
        Assert.Equal("-A RR-DNAT -j NOPE", error.OffendingText);
        Assert.Contains("=>     3: -A RR-DNAT -j NOPE", error.Message);
        Assert.Contains("      2: :RR-DNAT - [0:0]", error.Message);
    }

    [Fact]
    public async Task RestoreWithoutWaitTakesTheXtablesLockAndWaitsForIt()
    {
        var lockPath = Path.Combine(Path.GetTempPath(), $"rr-xtables-{Guid.NewGuid():N}.lock");
        var runner = new FakeRunner();
        var backend = new IptablesBackend(NetfilterTarget.Named("x"), Capabilities(new Version(1, 4, 21), IptablesVariant.Legacy, new Version(6, 1)), runner) { LockPath = lockPath };
        try
        {
            // Someone else holds the lock for 600 ms: the restore must not start before that.
            var other = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var released = DateTime.UtcNow.AddMilliseconds(600);
            _ = Task.Delay(600, TestContext.Current.CancellationToken).ContinueWith(_ => other.Dispose(), TaskScheduler.Default);
            runner.OnRun = (program, args) => { if (args.Contains("iptables-restore")) { Assert.True(DateTime.UtcNow >= released.AddMilliseconds(-50)); } };

            await backend.ApplyAsync(Models.SingleHome(), TestContext.Current.CancellationToken);

            var restore = runner.Calls.Single(c => c.Arguments.Contains("iptables-restore"));
            Assert.Equal(["--net=/run/netns/x", "--", "iptables-restore", "--noflush"], restore.Arguments);
            Assert.Contains("-A RR-DNAT -i eth0 -p udp -m udp --dport 8000 -j DNAT --to-destination 10.7.8.9:9000\n", restore.Input); // no port shift on 1.4.21
        }
        finally
        {
            File.Delete(lockPath);
        }
    }

    [Fact]
    public async Task RestoreWithWaitPassesIt()
    {
        var runner = new FakeRunner();
        var backend = new IptablesBackend(NetfilterTarget.Current, Capabilities(new Version(1, 8, 9), IptablesVariant.Legacy, new Version(6, 1)), runner);

        await backend.ApplyAsync(Models.SingleHome(), TestContext.Current.CancellationToken);

        Assert.Equal(["--noflush", "--wait=5"], runner.Calls.Single(c => c.Program == "iptables-restore").Arguments);
        Assert.Contains("--to-destination 10.7.8.9:9000-9002/8000", runner.Calls.Single(c => c.Program == "iptables-restore").Input);
    }

    private static NetfilterCapabilities Capabilities(Version iptables, IptablesVariant variant, Version kernel) =>
        new(kernel, IptablesTools.Default, iptables, variant, Ip6tables: false, NftVersion: null, NftUsable: false, NftProblem: "nft not found");

    private sealed class FakeRunner : ICommandRunner
    {
        public List<(string Program, string[] Arguments, string? Input)> Calls { get; } = [];

        public Action<string, IReadOnlyList<string>>? OnRun { get; set; }

        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
        {
            OnRun?.Invoke(program, arguments);
            Calls.Add((program, arguments.ToArray(), standardInput));
            return Task.FromResult(new CommandResult(0, "", ""));
        }
    }
}
