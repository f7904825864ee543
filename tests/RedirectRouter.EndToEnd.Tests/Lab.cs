using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedirectRouter.Lab;
using RedirectRouter.TestSupport;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>
/// One lab per test, in fresh namespaces, plus the means to run the agent in the router's namespace and
/// to send real traffic: sockets created inside a namespace (on a dedicated thread) stay there, so the
/// test's servers and clients run in-process.
/// </summary>
internal sealed class Lab : IDisposable
{
    private readonly List<TestNamespace> _namespaces = [];
    private readonly List<string> _files = [];

    public Lab()
    {
        try
        {
            foreach (var role in new[] { "cl", "rt", "nd", "sg", "gw", "ds" })
            {
                _namespaces.Add(TestNamespace.Create(role));
            }

            Client = _namespaces[0];
            Router = _namespaces[1];
            Node = _namespaces[2];
            Segment = _namespaces[3];
            Gateway = _namespaces[4];
            Destination = _namespaces[5];
            LabTopology.Build(new LabNamespaces(Host(Client), Host(Router), Host(Node), Host(Segment), Host(Gateway), Host(Destination)));
            // Carrier (operstate) comes up asynchronously, up to a second later (linkwatch); let every link settle so snapshots and first packets see a steady lab.
            WaitFor(() => _namespaces.All(ns => ns.IpJson("link", "show").EnumerateArray()
                .Where(l => l.GetProperty("ifname").GetString() != "lo")
                .All(l => l.GetProperty("operstate").GetString() == "UP")), TimeSpan.FromSeconds(5), "carrier on every lab link");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Client { get; } = null!;

    public TestNamespace Router { get; } = null!;

    public TestNamespace Node { get; } = null!;

    public TestNamespace Segment { get; } = null!;

    public TestNamespace Gateway { get; } = null!;

    public TestNamespace Destination { get; } = null!;

    public string HostNetns => Node.Handle.Path;

    /// <summary>The working directory the agent is started in (default: the test's own).</summary>
    public string? AgentWorkingDirectory { get; set; }

    public static string Cli => Path.Combine(AppContext.BaseDirectory, "redirect-router.dll");

    /// <summary>
    /// The agent under test: the executable named by <c>RR_AGENT_BINARY</c> (the shipping static binary or the
    /// dynamic NativeAOT one, as ./scripts/test.sh runs the agent suites again), else the built assembly under
    /// <c>dotnet</c>.
    /// </summary>
    public static string[] AgentCommand => Environment.GetEnvironmentVariable("RR_AGENT_BINARY") is { Length: > 0 } binary
        ? [Path.GetFullPath(binary)]
        : ["dotnet", Cli];

    /// <summary>Whether the agent under test is a statically linked executable (it must never map a shared object).</summary>
    public static bool AgentIsStatic => AgentCommand.Length == 1 && !ElfHasInterpreter(AgentCommand[0]);

    // A dynamically linked ELF executable names its loader in a PT_INTERP program header (type 3).
    private static bool ElfHasInterpreter(string path)
    {
        var elf = new byte[64 * 1024];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(elf, 0, (int)Math.Min(elf.Length, file.Length));
        }

        var headerOffset = BitConverter.ToInt64(elf, 0x20);
        int entrySize = BitConverter.ToUInt16(elf, 0x36), count = BitConverter.ToUInt16(elf, 0x38);
        return Enumerable.Range(0, count).Any(i => BitConverter.ToUInt32(elf, (int)headerOffset + (i * entrySize)) == 3);
    }

    /// <summary>Runs the agent to completion in the router's namespace.</summary>
    public (int ExitCode, string Output, string Error) RunAgent(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAgentIn(Router, [], environment, args);

    /// <summary>Runs the agent to completion in <paramref name="ns"/>, behind <paramref name="wrapper"/> (for example setpriv).</summary>
    public (int ExitCode, string Output, string Error) RunAgentIn(TestNamespace ns, string[] wrapper, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartAgentIn(ns, wrapper, environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"the agent did not exit: {error.Result}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts the agent in the router's namespace (<c>ip netns exec</c> execs it, so the PID is the agent's).</summary>
    public Process StartAgent(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartAgentIn(Router, [], environment, args);

    internal Process StartAgentIn(TestNamespace ns, string[] wrapper, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (AgentWorkingDirectory is not null)
        {
            start.WorkingDirectory = AgentWorkingDirectory;
        }

        foreach (var arg in new[] { "netns", "exec", ns.Name }.Concat(wrapper).Concat(AgentCommand).Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("EGRESS_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the agent");
    }

    /// <summary>Starts a TCP server in the destination that answers each connection with "PEER PORT\n" and closes.</summary>
    public TcpServer ServeTcp(IPAddress address, int port) => new(Destination, address, port);

    /// <summary>Starts a UDP server in the destination that answers each datagram with "PEER PORT".</summary>
    public UdpServer ServeUdp(IPAddress address, int port) => new(Destination, address, port);

    /// <summary>Connects from the client and returns what the server said, or null if the connection failed.</summary>
    public string? TcpFromClient(IPAddress target, int port, TimeSpan? timeout = null)
    {
        using var socket = Client.Handle.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(2));
        try
        {
            socket.ConnectAsync(target, port, cts.Token).AsTask().GetAwaiter().GetResult();
            var buffer = new byte[256];
            var read = socket.ReceiveAsync(buffer, cts.Token).AsTask().GetAwaiter().GetResult();
            return Encoding.ASCII.GetString(buffer, 0, read).Trim();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Sends a datagram from the client and returns the answer, or null.</summary>
    public string? UdpFromClient(IPAddress target, int port)
    {
        using var socket = Client.Handle.Run(() => new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        socket.ReceiveTimeout = 2000;
        socket.SendTo("ping"u8.ToArray(), new IPEndPoint(target, port));
        var buffer = new byte[256];
        try
        {
            var read = socket.Receive(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).Trim();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns the time it took.</summary>
    public static TimeSpan WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!Holds(condition))
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s");
            }

            Thread.Sleep(5);
        }

        return watch.Elapsed;
    }

    // A probe that fails (an interface not there yet) simply means "not yet".
    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A native configuration with the lab's two homes (macvlan0 on nic0 as 192.168.12.99, macvlan1 on nic1 as
    /// 192.168.13.99) and the given rule lines (each "  - { ... }"), created from the node's namespace.
    /// </summary>
    public string TwoHomesConfig(IEnumerable<string> rules, string extraSettings = "") => $$"""
        homes:
          - name: a
            parent: nic0
            addresses: [192.168.12.99/24]
            gateways: [192.168.12.1]
          - name: b
            parent: nic1
            interface: macvlan1
            addresses: [192.168.13.99/24]
            gateways: [192.168.13.1]
        rules:
        {{string.Join("\n", rules)}}
        settings:
          hostNetns: {{HostNetns}}{{extraSettings}}
        """;

    /// <summary>Writes a file named after this lab (a configuration, say), removed when the lab is disposed.</summary>
    public string TempFile(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Router.Name}-{name}");
        File.WriteAllText(path, text);
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            File.Delete(file);
        }

        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            ns.Dispose();
        }
    }

    private static LabHost Host(TestNamespace ns) => new(ns.Name, ns.Handle);
}
