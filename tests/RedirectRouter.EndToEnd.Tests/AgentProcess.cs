using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedirectRouter.EndToEnd.Tests;

/// <summary>A running <c>redirect-router run</c> in the lab's router namespace; stopped with SIGTERM on dispose.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Lab _lab;
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    public AgentProcess(Lab lab, params string[] args)
        : this(lab, [], null, args)
    {
    }

    /// <summary>Starts <c>run</c> behind <paramref name="wrapper"/> (for example prlimit) with extra environment variables.</summary>
    public AgentProcess(Lab lab, string[] wrapper, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        _lab = lab;
        _process = lab.StartAgentIn(lab.Router, wrapper, environment, ["run", .. args]);
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log)
                {
                    _log.AppendLine(line);
                }
            }
        });
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The agent's process id (<c>ip netns exec</c> execs the agent, so this is the agent itself).</summary>
    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>GETs a path from the agent's endpoint, connecting from inside the router's namespace.</summary>
    public (int Status, string Body) Get(int port, string path)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = _lab.Router.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = client.GetAsync($"http://127.0.0.1:{port}{path}").GetAwaiter().GetResult();
            return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
        catch (HttpRequestException)
        {
            return (0, "");
        }
    }

    /// <summary>Waits until <paramref name="path"/> answers 200 (readiness by default); the agent's log is in any failure.</summary>
    public void WaitReady(int port, string path = "/readyz", string what = "readiness")
    {
        try
        {
            Lab.WaitFor(() => HasExited || Get(port, path).Status == 200, TimeSpan.FromSeconds(30), what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the agent's log:\n{Log}", e);
        }

        Xunit.Assert.False(HasExited, $"the agent exited: {Log}");
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill();
            }
        }

        _process.WaitForExit();
        Task.WaitAll([_stdout, _stderr], TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }
}
