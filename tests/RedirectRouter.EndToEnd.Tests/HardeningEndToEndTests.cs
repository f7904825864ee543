using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Netfilter.Execution;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// The agent cannot be hijacked, hung or exhausted: tools planted in its working directory never run; a hung
/// nft fails init within the deadline and only makes run unready until it answers again; a FIFO, a device or a
/// huge file given by reload is refused while forwarding goes on; thousands of idle connections do not delay a
/// probe; scrapes start no process; diag reads another pod's files inside that pod's root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HardeningEndToEndTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.128.0.2");
    private static readonly IPAddress Destination = IPAddress.Parse("172.16.100.25");
    private static readonly UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static int FreePort() => 9100 + Random.Shared.Next(800);

    private static void Print(string text) => TestContext.Current.TestOutputHelper?.WriteLine(text);

    private static void Script(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, Executable);
    }

    private static string NftRuleset(Lab lab) =>
        TestNamespace.Execute("ip", ["netns", "exec", lab.Router.Name, ToolLocator.System.Locate("nft"), "list", "table", "ip", "redirect_router"]).Output;

    [Fact]
    public void ToolsPlantedInTheWorkingDirectoryAreNeverStarted()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = DiagEndToEndTests.WriteConfig(lab);
        var plant = Directory.CreateTempSubdirectory("rr-plant-").FullName;
        try
        {
            File.SetUnixFileMode(plant, (UnixFileMode)0x1FF); // like /tmp: anyone may drop files here
            var trace = Path.Combine(plant, "trace");
            foreach (var tool in ToolLocator.KnownTools.Append("ip"))
            {
                Script(plant, tool, $"echo \"$0 $*\" >> {trace}; exit 0");
            }

            // The trace works: started from there, a planted tool leaves it.
            TestNamespace.Run("sh", ["-c", $"cd {plant} && ./nft --version"]);
            Assert.True(File.Exists(trace));
            File.Delete(trace);

            // The agent starts in that directory, with it (and ".") first on PATH too.
            lab.AgentWorkingDirectory = plant;
            var environment = new Dictionary<string, string> { ["PATH"] = $"{plant}:.:{Environment.GetEnvironmentVariable("PATH")}" };

            var init = lab.RunAgentIn(lab.Router, [], environment, "init", "--config", config);
            Assert.True(init.ExitCode == 0, $"init exited {init.ExitCode}: {init.Error}");
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
            Assert.Contains("nft=/usr/sbin/nft", init.Error);

            var diag = lab.RunAgentIn(lab.Node, [], environment, "diag", "--netns", lab.Router.Name, "--output", "json");
            Assert.True(diag.ExitCode is 0 or 1, $"diag exited {diag.ExitCode}: {diag.Error}");
            Assert.True(diag.Output.Contains("\"rulesPresent\": true", StringComparison.Ordinal), $"diag printed no rules present: {diag.Output} {diag.Error}");

            var port = FreePort();
            using (var agent = new AgentProcess(lab, [], environment, "--config", config, "--metrics", $"127.0.0.1:{port}"))
            {
                agent.WaitReady(port);
                Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
                Assert.Equal(0, agent.Stop());
            }

            var cleanup = lab.RunAgentIn(lab.Node, [], environment, "cleanup", "--netns", lab.Router.Name);
            Assert.True(cleanup.ExitCode == 0, $"cleanup exited {cleanup.ExitCode}: {cleanup.Error}");
            Assert.Contains("delete nftables table ip redirect_router", cleanup.Output);

            Assert.False(File.Exists(trace), "planted tools ran: " + (File.Exists(trace) ? File.ReadAllText(trace) : ""));
        }
        finally
        {
            lab.AgentWorkingDirectory = null;
            Directory.Delete(plant, recursive: true);
        }
    }

    [Fact]
    public void AHungNftFailsInitWithinItsDeadlineAndOnlyMakesRunUnreadyUntilItAnswers()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        var config = DiagEndToEndTests.WriteConfig(lab);
        var tools = Directory.CreateTempSubdirectory("rr-hung-").FullName;
        var hang = Path.Combine(tools, "hang");
        try
        {
            // nft that hangs (with a child holding its pipes) while the flag file exists, else the real one;
            // it notes when it started hanging.
            var hungSince = Path.Combine(tools, "hung-since");
            Script(tools, "nft", $"if [ -e {hang} ]; then date +%s.%N > {hungSince}; sleep 1000; fi\nexec {ToolLocator.System.Locate("nft")} \"$@\"");
            File.WriteAllText(hang, "");

            var clock = Stopwatch.StartNew();
            var init = lab.RunAgent(null, "init", "--config", config, "--tool-dir", tools, "--tool-timeout", "2");
            var exited = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var took = exited - double.Parse(File.ReadAllText(hungSince), CultureInfo.InvariantCulture);
            Print($"init with a hung nft (2 s deadline) exited {init.ExitCode} {took * 1000:0} ms after nft started ({clock.ElapsedMilliseconds} ms with the process start)");
            Assert.Equal(1, init.ExitCode);
            Assert.Contains("nft did not finish within 2 s and was killed", init.Error);
            Assert.InRange(took, 1.9, 3.0);

            // No tool at all where the agent was told to look: exit 3, naming it, nothing set up.
            var empty = Directory.CreateDirectory(Path.Combine(tools, "empty")).FullName;
            var missing = lab.RunAgent(null, "init", "--config", config, "--tool-dir", empty);
            Assert.Equal(3, missing.ExitCode);
            Assert.Contains("nft not found", missing.Error);
            Assert.Empty(lab.Router.IpJson("link", "show", "type", "macvlan").EnumerateArray());

            File.Delete(hang);
            var port = FreePort();
            using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}", "--tool-dir", tools, "--tool-timeout", "2");
            agent.WaitReady(port);
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));

            // nft hangs, and the ruleset is gone: the repair cannot even read it.
            File.WriteAllText(hang, "");
            TestNamespace.Run("ip", ["netns", "exec", lab.Router.Name, ToolLocator.System.Locate("nft"), "delete", "table", "ip", "redirect_router"]);
            Lab.WaitFor(() => agent.Get(port, "/readyz").Status == 503, TimeSpan.FromSeconds(10), "readiness going false");
            Assert.False(agent.HasExited, agent.Log);
            Assert.Equal(200, agent.Get(port, "/healthz").Status);
            Lab.WaitFor(() => agent.Get(port, "/metrics").Body.Contains("redirect_router_sync_failures_total{kind=\"netfilter\"}"), TimeSpan.FromSeconds(10), "the failure counted");
            Thread.Sleep(3000);
            Assert.Equal(503, agent.Get(port, "/readyz").Status);
            Assert.Contains("nft did not finish within 2 s", agent.Log);

            // nft answers again: the next retry repairs the ruleset and the router is ready again.
            File.Delete(hang);
            clock.Restart();
            Lab.WaitFor(() => agent.Get(port, "/readyz").Status == 200, TimeSpan.FromSeconds(40), "readiness after nft answers again");
            Print($"ready again {clock.ElapsedMilliseconds} ms after nft answered");
            Assert.Contains("dnat", NftRuleset(lab));
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
            Assert.Equal(0, agent.Stop());
        }
        finally
        {
            File.Delete(hang);
            Directory.Delete(tools, recursive: true);
        }
    }

    [Fact]
    public void AReloadedFifoDeviceOrHugeFileIsRefusedAndCountedWhileForwardingGoesOn()
    {
        using var lab = new Lab();
        using var web = lab.ServeTcp(Destination, 80);
        using var web81 = lab.ServeTcp(Destination, 81);
        var dir = Directory.CreateTempSubdirectory("rr-reload-").FullName;
        var config = Path.Combine(dir, "config.yaml");
        var good = File.ReadAllText(DiagEndToEndTests.WriteConfig(lab));
        File.WriteAllText(config, good);
        void Replace(Action<string> make)
        {
            var next = Path.Combine(dir, "next");
            make(next);
            if (Directory.Exists(config) && File.ResolveLinkTarget(config, false) is null)
            {
                Directory.Delete(config);
            }
            else
            {
                File.Delete(config);
            }

            TestNamespace.Run("mv", ["-T", next, config]);
        }

        double Rejected(AgentProcess agent, int port) =>
            agent.Get(port, "/metrics").Body.Split('\n').Where(l => l.StartsWith("redirect_router_config_reloads_total{result=\"rejected\"} ", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).FirstOrDefault();

        try
        {
            var port = FreePort();
            using var agent = new AgentProcess(lab, "--config", config, "--metrics", $"127.0.0.1:{port}");
            agent.WaitReady(port);
            Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));

            var rejected = 0.0;
            foreach (var (what, make) in new (string, Action<string>)[]
            {
                ("a FIFO", path => TestNamespace.Run("mkfifo", [path])),
                ("/dev/zero", path => File.CreateSymbolicLink(path, "/dev/zero")),
                ("a directory", path => Directory.CreateDirectory(path)),
                ("a 100 MiB file", path =>
                {
                    using var stream = File.Create(path);
                    stream.SetLength(100L * 1024 * 1024);
                }),
            })
            {
                Replace(make);
                var before = rejected;
                Lab.WaitFor(() => (rejected = Rejected(agent, port)) > before, TimeSpan.FromSeconds(10), $"the rejection of {what}");
                Assert.Equal("192.168.12.99 80", lab.TcpFromClient(Router, 8080));
                Assert.Equal(200, agent.Get(port, "/readyz").Status);
            }

            Assert.Contains(config, agent.Log);
            Assert.Contains("not a regular file (a FIFO)", agent.Log);
            Assert.Contains("more than the limit of 8388608 bytes", agent.Log);

            // The loop is not stuck: a good file is applied.
            Replace(path => File.WriteAllText(path, good.Replace("targetPort: 80", "targetPort: 81", StringComparison.Ordinal)));
            Lab.WaitFor(() => lab.TcpFromClient(Router, 8080, TimeSpan.FromMilliseconds(300)) == "192.168.12.99 81", TimeSpan.FromSeconds(10), "the good reload");
            Assert.Equal(0, agent.Stop());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FiveThousandIdleConnectionsAndASlowClientDoNotDelayAProbeAndScrapesStartNoProcess()
    {
        using var lab = new Lab();
        var config = DiagEndToEndTests.WriteConfig(lab);
        var tools = Directory.CreateTempSubdirectory("rr-count-").FullName;
        var starts = Path.Combine(tools, "starts");
        try
        {
            // Every tool run leaves a line, then the real tool runs.
            foreach (var tool in new[] { "nft", "iptables", "ip6tables-restore" })
            {
                if (ToolLocator.System.LocateAll().FirstOrDefault(t => t.Tool == tool).Path is { } real)
                {
                    Script(tools, tool, $"echo \"{tool} $*\" >> {starts}\nexec {real} \"$@\"");
                }
            }

            var port = FreePort();
            using var agent = new AgentProcess(lab, ["prlimit", "--nofile=1024:20000", "--"], null,
                "--config", config, "--metrics", $"127.0.0.1:{port}", "--tool-dir", tools);
            agent.WaitReady(port);
            var limits = File.ReadAllLines($"/proc/{agent.Pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            Print(limits);
            Assert.Matches(@"Max open files\s+20000\s+20000", limits);

            var idle = new List<Socket>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            try
            {
                for (var i = 0; i < 5000; i++)
                {
                    var socket = lab.Router.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                    idle.Add(socket);
                    socket.Connect(IPAddress.Loopback, port);
                }

                var slow = lab.Router.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                idle.Add(slow);
                slow.Connect(IPAddress.Loopback, port);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        foreach (var b in "GET /metrics HTTP/1.1\r\nX-Slow: yes"u8.ToArray())
                        {
                            await slow.SendAsync(new[] { b }, stop.Token);
                            await Task.Delay(1000, stop.Token);
                        }
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException)
                    {
                    }
                }, TestContext.Current.CancellationToken);

                Thread.Sleep(500);
                var times = new List<double>();
                for (var i = 0; i < 10; i++)
                {
                    var clock = Stopwatch.StartNew();
                    Assert.StartsWith("HTTP/1.1 200 OK", Probe(lab, port, "GET /healthz HTTP/1.1\r\n\r\n"));
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    Thread.Sleep(100);
                }

                Print($"/healthz with 5,000 idle connections and a slow client: {string.Join(", ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))} ms");
                Assert.True(times.Max() < 100, $"/healthz took {times.Max():0} ms");
                Assert.False(agent.HasExited, agent.Log);
                stop.Cancel();
            }
            finally
            {
                foreach (var socket in idle)
                {
                    socket.Dispose();
                }
            }

            // Scrapes: the kernel counters come from the agent's last read, never from a process per scrape.
            Lab.WaitFor(() =>
            {
                var before = File.ReadAllLines(starts).Length;
                Thread.Sleep(1500);
                return File.ReadAllLines(starts).Length == before;
            }, TimeSpan.FromSeconds(20), "the agent's own tool runs settling");
            var startsBefore = File.ReadAllLines(starts).Length;
            var scrapes = Stopwatch.StartNew();
            for (var i = 0; i < 100; i++)
            {
                Assert.StartsWith("HTTP/1.1 200 OK", Probe(lab, port, "GET /metrics HTTP/1.1\r\n\r\n"));
            }

            scrapes.Stop();
            Thread.Sleep(2000);
            var started = File.ReadAllLines(starts).Skip(startsBefore).ToArray();
            Print($"100 scrapes in {scrapes.ElapsedMilliseconds} ms; tool runs meanwhile and 2 s after: {started.Length} ({string.Join("; ", started)})");
            // At most the one background read the agent allows itself per 10 s while someone scrapes.
            Assert.True(started.Length <= 1, string.Join("\n", started));
            Assert.Contains("redirect_router_rule_packets{", Probe(lab, port, "GET /metrics HTTP/1.1\r\n\r\n"));
            Assert.Equal(0, agent.Stop());
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    [Fact]
    public void DiagReadsAnotherPodsFilesInsideItsRootAndNeverOpensItsNodePaths()
    {
        using var lab = new Lab();
        var work = Directory.CreateTempSubdirectory("rr-pods-").FullName;
        var pods = new List<Process>();
        try
        {
            // A node file the pod's link points at (a valid destination list).
            var nodeFile = Path.Combine(work, "node-destinations");
            File.WriteAllText(nodeFile, "8080 tcp 203.0.113.77 80\n");
            // A node path named by the pod as its host namespace: a FIFO, so an open would hang diag.
            var nodeFifo = Path.Combine(work, "node-fifo");
            TestNamespace.Run("mkfifo", [nodeFifo]);

            int StartPod(string name, Action<string> prepare)
            {
                var root = Path.Combine(work, name);
                Directory.CreateDirectory(Path.Combine(root, "etc", "egress"));
                CopyWithLibraries("/usr/bin/sleep", root);
                prepare(root);
                var start = new ProcessStartInfo("ip") { UseShellExecute = false };
                foreach (var arg in new[]
                {
                    "netns", "exec", lab.Router.Name, "env", "-i", "EGRESS_SOURCE=192.168.12.99", "EGRESS_GATEWAY=192.168.12.1",
                    "EGRESS_DESTINATION_FILE=/etc/egress/destinations", $"EGRESS_ROUTER_HOST_NETNS={nodeFifo}", "EGRESS_ROUTER_PARENT=nic0",
                    "/usr/sbin/chroot", root, "/sleep", "120",
                })
                {
                    start.ArgumentList.Add(arg);
                }

                var pod = Process.Start(start)!;
                pods.Add(pod);
                Lab.WaitFor(() => File.ResolveLinkTarget($"/proc/{pod.Id}/root", false)?.FullName == root
                    && File.ReadAllText($"/proc/{pod.Id}/environ").Contains("EGRESS_SOURCE", StringComparison.Ordinal), TimeSpan.FromSeconds(5), $"pod {name} starting");
                return pod.Id;
            }

            // An absolute link to the node file: inside the pod's root it names nothing.
            var escaping = StartPod("escaping", root => File.CreateSymbolicLink(Path.Combine(root, "etc", "egress", "destinations"), nodeFile));
            // A ConfigMap-style relative link within the pod's root.
            var honest = StartPod("honest", root =>
            {
                Directory.CreateDirectory(Path.Combine(root, "etc", "egress", "..data"));
                File.WriteAllText(Path.Combine(root, "etc", "egress", "..data", "destinations"), "8080 tcp 172.16.100.25 80\n");
                File.CreateSymbolicLink(Path.Combine(root, "etc", "egress", "destinations"), "..data/destinations");
            });

            var (_, report, error) = DiagEndToEndTests.Diag(lab, lab.Node, "--pid", escaping.ToString(CultureInfo.InvariantCulture));
            // Had the node file been read, its valid list would have made the pod's variables the desired state.
            Assert.Contains($"the EGRESS_DESTINATION_FILE of process {escaping} cannot be read", error);
            Assert.Equal("none", report.GetProperty("target").GetProperty("config").GetString());

            var (_, honestReport, honestError) = DiagEndToEndTests.Diag(lab, lab.Node, "--pid", honest.ToString(CultureInfo.InvariantCulture));
            Assert.Equal("pid-environment", honestReport.GetProperty("target").GetProperty("config").GetString());
            Assert.Contains($"note: process {honest} names the node namespace {nodeFifo}", honestError);
            Assert.NotEqual(nodeFifo, honestReport.GetProperty("target").GetProperty("hostNamespace").GetString());
        }
        finally
        {
            foreach (var pod in pods)
            {
                pod.Kill();
                pod.WaitForExit();
                pod.Dispose();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    // A program and the shared libraries ldd lists, at the same paths below root.
    private static void CopyWithLibraries(string program, string root)
    {
        File.Copy(program, Path.Combine(root, Path.GetFileName(program)));
        foreach (var line in TestNamespace.Run("ldd", [program]).Split('\n'))
        {
            var path = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.StartsWith('/'));
            if (path is not null && File.Exists(path))
            {
                var target = Path.Combine(root, path.TrimStart('/'));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(path, target, overwrite: true);
            }
        }
    }

    // One request on a socket made in the router's namespace; the whole answer.
    private static string Probe(Lab lab, int port, string request)
    {
        using var socket = lab.Router.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        socket.ReceiveTimeout = 5000;
        socket.Connect(IPAddress.Loopback, port);
        socket.Send(Encoding.ASCII.GetBytes(request));
        var answer = new StringBuilder();
        var buffer = new byte[16384];
        int read;
        while ((read = socket.Receive(buffer)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }
}
