using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Agent.Network;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Planning;
using RedirectRouter.Netfilter;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.Netlink;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// The reliability suite: bad input, crashes during setup, faults, load during reloads, and what the router
/// must never do. Short by default (part of ./scripts/test.sh); RR_RELIABILITY=full gives the full sizes
/// (./scripts/reliability.sh), and RR_RELIABILITY_REPORT=FILE collects the figures.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class ReliabilityTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");

    private static bool Full => Environment.GetEnvironmentVariable("RR_RELIABILITY") == "full";

    private static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("RR_RELIABILITY_REPORT") is { Length: > 0 } file)
        {
            lock (typeof(ReliabilityTests))
            {
                File.AppendAllText(file, line + "\n");
            }
        }
    }

    private static string TwoHomes(Lab lab, int mappings, int webTarget = 80) => lab.TwoHomesConfig(
    [
        $"  - {{ protocol: tcp, port: 8080, destination: 172.16.100.25, targetPort: {webTarget}, home: a }}",
        "  - { protocol: tcp, port: 8081, destination: 172.16.100.25, targetPort: 90, home: b }",
        "  - { protocol: udp, port: 7000, destination: 172.16.100.25, home: a }",
        .. Enumerable.Range(0, mappings).Select(i =>
            $"  - {{ protocol: tcp, port: {20000 + i}, destination: 172.16.100.25, targetPort: 80, home: {(i % 2 == 0 ? "a" : "b")} }}"),
    ]);

    [Fact]
    public void BadInputCorpusThroughInitExitsTwoWithLocatedErrorsAndChangesNothing()
    {
        using var lab = new Lab();
        // The corpus also holds inputs that only warn (valid, so init would go ahead): those are left out here.
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "BadInputs")).Order()
            .Where(f => ConfigLoader.LoadFile(File.ReadAllText(f), f).HasErrors).ToArray();
        if (!Full)
        {
            files = files.Where((_, i) => i % 7 == 0).ToArray();
        }

        var before = InitEndToEndTests.Snapshot(lab);
        foreach (var file in files)
        {
            var (code, _, error) = lab.RunAgent(null, "init", "--config", file, "--host-netns", lab.HostNetns);
            Assert.True(code == 2, $"{Path.GetFileName(file)}: exit {code}: {error}");
            var expected = File.ReadLines(file).Select(l => l.TrimStart('#', '/', ' ')).Where(l => l.StartsWith("expect:", StringComparison.Ordinal))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
            foreach (var code1 in expected)
            {
                Assert.Contains(code1, error);
            }

            Assert.Contains(file, error);
        }

        Assert.Equal(before, InitEndToEndTests.Snapshot(lab));
        Report($"bad input: {files.Length} corpus files through init: all exit 2 with located errors; the namespace unchanged");
    }

    [Fact]
    public async Task KillNineDuringSetupThenRestartAlwaysConvergesExactly()
    {
        using var lab = new Lab();
        var mappings = Full ? 2000 : 300;
        var kills = Full ? 50 : 6;
        var config = lab.TempFile("crash.yaml", TwoHomes(lab, mappings));
        var random = new Random(20261128);
        var watch = Stopwatch.StartNew();
        var clean = lab.RunAgent(null, "init", "--config", config, "--probe-window", "0");
        Assert.True(clean.ExitCode == 0, clean.Error);
        var setupTime = watch.Elapsed;
        var cleanup = lab.RunAgent(null, "cleanup");
        Assert.True(cleanup.ExitCode == 0, cleanup.Error);

        var killed = 0;
        for (var i = 0; i < kills; i++)
        {
            using var process = lab.StartAgent(null, "init", "--config", config, "--probe-window", "0");
            Thread.Sleep(random.Next((int)setupTime.TotalMilliseconds));
            if (!process.HasExited)
            {
                process.Kill();
                killed++;
            }

            process.WaitForExit();
        }

        var final = lab.RunAgent(null, "init", "--config", config, "--probe-window", "0");
        Assert.True(final.ExitCode == 0, final.Error);

        var desired = Planner.Plan(ConfigLoader.LoadFile(File.ReadAllText(config), config).Config!);
        using var handle = NetlinkHandle.OpenIn(lab.Router.Handle);
        var normalized = NetworkObserver.Normalize(desired.Network);
        var (observed, _) = NetworkObserver.Observe(handle, normalized);
        Assert.Empty(StateDiffer.Diff(normalized, observed));
        Assert.Equal(desired.Network.Rules.Count, observed.Rules.Count);
        Assert.Equal(2, handle.LinkList().Count(l => l.Kind == "macvlan"));
        var target = new NetfilterTarget(lab.Router.Handle.Path);
        var capabilities = await NetfilterProbe.ProbeAsync(CliWrapCommandRunner.Instance, target, cancellationToken: TestContext.Current.CancellationToken);
        var backend = NetfilterBackends.Create(NetfilterBackend.Auto, capabilities, target);
        var drift = await backend.VerifyAsync(desired.Nat, TestContext.Current.CancellationToken);
        Assert.True(drift.IsClean, drift.ToString());
        using var web = lab.ServeTcp(Destination, 80);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
        Report($"crash consistency: {kills} starts with {mappings} mappings, {killed} killed (-9) at random moments within the {setupTime.TotalMilliseconds:0} ms setup; the restart converged exactly every time (no drift, no duplicate or leftover object)");
    }

    [Fact]
    public void EstablishedConnectionsSurviveRepeatedReloadsUnderLoad()
    {
        using var lab = new Lab();
        var connections = Full ? 1000 : 100;
        var duration = TimeSpan.FromSeconds(Full ? 30 : 5);
        using var web = lab.ServeTcp(Destination, 80);
        using var web81 = lab.ServeTcp(Destination, 81);
        using var held = new TcpServer(lab.Destination, Destination, 90) { HoldConnections = true };
        using var udp = lab.ServeUdp(Destination, 7000);
        var config = lab.TempFile("load.yaml", TwoHomes(lab, 10));
        var port = 9100 + Random.Shared.Next(800);
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
        agent.WaitReady(port);

        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var socket = lab.Client.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                socket.ReceiveTimeout = 3000;
                socket.Connect(Router, 8081);
                var hello = new byte[64];
                Assert.Contains("192.168.13.99 90", Encoding.ASCII.GetString(hello, 0, socket.Receive(hello)));
                sockets.Add(socket);
            }

            using var udpClient = lab.Client.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
            udpClient.ReceiveTimeout = 1000;
            var reloads = 0;
            var udpSent = 0;
            var udpAnswered = 0;
            var watch = Stopwatch.StartNew();
            var nextReload = TimeSpan.Zero;
            while (watch.Elapsed < duration)
            {
                if (watch.Elapsed >= nextReload)
                {
                    // Only the 8080 rule changes; the held connections go through 8081.
                    File.WriteAllText(config, TwoHomes(lab, 10, webTarget: reloads % 2 == 0 ? 81 : 80));
                    reloads++;
                    nextReload += TimeSpan.FromMilliseconds(500);
                }

                udpClient.SendTo("ping"u8.ToArray(), new IPEndPoint(Router, 7000));
                udpSent++;
                try
                {
                    var buffer = new byte[64];
                    udpClient.Receive(buffer);
                    udpAnswered++;
                }
                catch (SocketException)
                {
                }

                Thread.Sleep(10);
            }

            var alive = 0;
            var payload = "still-here"u8.ToArray();
            foreach (var socket in sockets)
            {
                try
                {
                    socket.Send(payload);
                    var buffer = new byte[64];
                    if (Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)) == "still-here")
                    {
                        alive++;
                    }
                }
                catch (SocketException)
                {
                }
            }

            Assert.Equal(connections, alive);
            Assert.True(udpAnswered >= udpSent * 0.95, $"UDP: {udpAnswered} of {udpSent} answered");
            Assert.Contains("configuration reloaded", agent.Log);
            Report($"load: {connections} established TCP connections and a UDP stream ({udpAnswered}/{udpSent} answered) through {reloads} reloads in {duration.TotalSeconds:0} s: every connection survived");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public void SurvivesParentDownAndTheGatewayDisappearingAndReturning()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = lab.TempFile("faults.yaml", TwoHomes(lab, 0));
        var port = 9100 + Random.Shared.Next(800);
        using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
        agent.WaitReady(port);
        Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));

        lab.Node.Ip("link", "set", "nic0", "down");
        Thread.Sleep(Full ? 5000 : 1000);
        lab.Node.Ip("link", "set", "nic0", "up");
        var parent = Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 80", TimeSpan.FromSeconds(15), "traffic after the parent returned");

        lab.Gateway.Ip("addr", "del", "192.168.12.1/24", "dev", "eth0");
        Assert.Null(lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(500)));
        Thread.Sleep(Full ? 3000 : 500);
        lab.Gateway.Ip("addr", "add", "192.168.12.1/24", "dev", "eth0");
        var gateway = Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 80", TimeSpan.FromSeconds(15), "traffic after the gateway returned");

        Assert.False(agent.HasExited, agent.Log);
        Assert.Equal(0, agent.Stop());
        Report($"faults: parent NIC down {(Full ? 5 : 1)} s -> traffic again {parent.TotalMilliseconds:0} ms after it came back; gateway gone and back -> traffic again after {gateway.TotalMilliseconds:0} ms; the agent kept running");
    }

    [Fact]
    public void ForwardsNothingButConfiguredDestinationsAndNeverUsesAShellOrAnUnaskedListener()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var ssh = lab.ServeTcp(Destination, 22);
        using var other = lab.ServeTcp(IPAddress.Parse("172.16.100.26"), 80);
        var marker = Path.Combine(Path.GetTempPath(), $"rr-pwned-{Environment.ProcessId}");
        var environment = new Dictionary<string, string>
        {
            ["EGRESS_SOURCE"] = "192.168.12.99",
            ["EGRESS_GATEWAY"] = "192.168.12.1",
            ["EGRESS_DESTINATION"] = "8080 tcp 172.16.100.25 80",
            ["EGRESS_ROUTER_MODE"] = "legacy",
            ["EGRESS_ROUTER_PARENT"] = $"nic0$(touch {marker})",
            ["EGRESS_ROUTER_HOST_NETNS"] = lab.HostNetns,
        };

        var hostile = lab.RunAgent(environment);
        Assert.NotEqual(0, hostile.ExitCode);
        Assert.False(File.Exists(marker), "a configuration value reached a shell");

        environment["EGRESS_ROUTER_PARENT"] = "nic0";
        var process = lab.StartAgent(environment);
        try
        {
            Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 80", TimeSpan.FromSeconds(30), "the router");
            var probes = new (IPAddress Address, int Port)[]
            {
                (Router, 22), (Router, 8081), (Destination, 22), (Destination, 80), (IPAddress.Parse("172.16.100.26"), 80),
                (IPAddress.Parse("192.168.12.1"), 80), (IPAddress.Parse("192.168.12.10"), 22),
            };
            foreach (var (address, port) in probes)
            {
                Assert.True(lab.TcpFromClient(address, port, TimeSpan.FromMilliseconds(300)) is null, $"{address}:{port} was reachable through the router");
            }

            Assert.Empty(ssh.Peers);
            Assert.Empty(other.Peers);
            var listeners = TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, "ss", "-H", "-ltnu"]);
            Assert.True(string.IsNullOrWhiteSpace(listeners), $"the agent listens without being asked: {listeners}");
            Report($"security: {probes.Length} unconfigured ports and addresses behind the router unreachable; a shell metacharacter in a variable never ran; no listener without --metrics");
        }
        finally
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            process.WaitForExit(10_000);
            process.Dispose();
            File.Delete(marker);
        }
    }
}
