using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using RedirectRouter.Agent.Health;
using RedirectRouter.Netfilter;
using RedirectRouter.TestSupport;

namespace RedirectRouter.Agent.Tests.Health;

/// <summary>The endpoint in a namespace of its own, with real sockets: it keeps answering probes through accept errors, floods and slow clients.</summary>
public sealed class HealthServerTests
{
    private static (TestNamespace Ns, HealthServer Server) Start(AgentMetrics metrics, Func<Socket, CancellationToken, ValueTask<Socket>>? accept = null)
    {
        var ns = TestNamespace.Create("health");
        var server = new HealthServer(new IPEndPoint(IPAddress.Loopback, 0), metrics, NullLogger<HealthServer>.Instance,
            accept ?? ((listener, token) => listener.AcceptAsync(token)));
        ns.Handle.Run(server.Start);
        return (ns, server);
    }

    private static Socket Connect(TestNamespace ns, int port)
    {
        var socket = ns.Handle.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    private static string Request(TestNamespace ns, int port, string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    {
        using var socket = Connect(ns, port);
        socket.ReceiveTimeout = 5000;
        socket.Send(Encoding.ASCII.GetBytes(request));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = socket.Receive(buffer)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return answer.ToString();
    }

    [Fact]
    public async Task AcceptErrorsAreSurvived()
    {
        var failures = 0;
        var (ns, server) = Start(new AgentMetrics(), (listener, token) =>
            Interlocked.Increment(ref failures) <= 3
                ? ValueTask.FromException<Socket>(new SocketException((int)SocketError.TooManyOpenSockets))
                : listener.AcceptAsync(token));
        using var _ = ns;
        await using var __ = server;

        Assert.StartsWith("HTTP/1.1 200 OK", Request(ns, server.Endpoint.Port));
        Assert.Equal(3, server.AcceptFailures);
        Assert.StartsWith("HTTP/1.1 200 OK", Request(ns, server.Endpoint.Port));
    }

    [Fact]
    public async Task HeadHasNoBodyAndReadinessAndUnknownPathsAnswer()
    {
        var metrics = new AgentMetrics();
        var (ns, server) = Start(metrics);
        using var _ = ns;
        await using var __ = server;
        var port = server.Endpoint.Port;

        var head = Request(ns, port, "HEAD /healthz HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK", head);
        Assert.Contains("Content-Length: 3\r\n", head);
        Assert.EndsWith("\r\n\r\n", head);
        Assert.EndsWith("\r\n\r\nok\n", Request(ns, port));
        Assert.StartsWith("HTTP/1.1 503", Request(ns, port, "GET /readyz HTTP/1.1\r\n\r\n"));
        metrics.SetReady(true);
        Assert.StartsWith("HTTP/1.1 200", Request(ns, port, "GET /readyz HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 404", Request(ns, port, "GET /nope HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", Request(ns, port, "BREW /healthz HTCPCP/1.0\r\n\r\n"));
        Assert.Contains("redirect_router_ready 1", Request(ns, port, "GET /metrics HTTP/1.1\r\n\r\n"));
    }

    [Fact]
    public async Task IdleAndSlowClientsBeyondTheCapDoNotCrowdOutAProbe()
    {
        var (ns, server) = Start(new AgentMetrics());
        using var _ = ns;
        await using var __ = server;
        var port = server.Endpoint.Port;
        var idle = new List<Socket>();
        using var slowStop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        try
        {
            for (var i = 0; i < HealthServer.MaxConnections * 3; i++)
            {
                idle.Add(Connect(ns, port));
            }

            // One byte a second: never a whole request.
            var slow = Connect(ns, port);
            idle.Add(slow);
            var trickle = Task.Run(async () =>
            {
                try
                {
                    foreach (var b in Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nX: "))
                    {
                        await slow.SendAsync(new[] { b }, slowStop.Token);
                        await Task.Delay(1000, slowStop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException)
                {
                }
            }, TestContext.Current.CancellationToken);

            Thread.Sleep(200);
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                Assert.StartsWith("HTTP/1.1 200 OK", Request(ns, port));
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"/healthz with {idle.Count} idle connections: {string.Join(", ", times.Select(t => $"{t:0.0}"))} ms");
            Assert.True(times.Max() < 100, $"/healthz took {times.Max():0} ms");
            await slowStop.CancelAsync();
            await trickle;
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(30)]
    [InlineData(1)]
    public async Task ScrapesNeverReadTheCountersThemselves(int intervalSeconds)
    {
        var metrics = new AgentMetrics();
        var reads = 0;
        var refresher = new RuleCounterRefresher(metrics, _ =>
        {
            Interlocked.Increment(ref reads);
            return Task.FromResult<IReadOnlyList<RuleCounter>?>([new RuleCounter("nat", "dnat", 7, 700)]);
        }, NullLogger<RuleCounterRefresher>.Instance, TimeSpan.FromSeconds(intervalSeconds));
        var (ns, server) = Start(metrics);
        using var _ = ns;
        await using var __ = server;
        await refresher.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // One read once there is something to read; then, with nobody scraping, none.
            await Task.Delay(3000, TestContext.Current.CancellationToken);
            Assert.Equal(1, reads);

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 100; i++)
            {
                Assert.Contains("redirect_router_rule_packets{location=\"nat\",rule=\"dnat\"} 7", Request(ns, server.Endpoint.Port, "GET /metrics HTTP/1.1\r\n\r\n"));
            }

            // A figure, not a target: the point is that no scrape waited for a read.
            TestContext.Current.TestOutputHelper?.WriteLine($"100 scrapes took {clock.Elapsed.TotalMilliseconds:0} ms");
            var scraping = clock.Elapsed;
            await Task.Delay(2500, TestContext.Current.CancellationToken);
            // The hundred scrapes asked for background reads, never within the interval of the last one: none at
            // all with a long interval, and with a short one at most one per interval of scraping (and never 100).
            if (intervalSeconds > 10)
            {
                Assert.Equal(1, reads);
            }
            else
            {
                Assert.InRange(reads, 2, 2 + (int)Math.Ceiling(scraping.TotalSeconds / intervalSeconds));
            }
        }
        finally
        {
            await refresher.StopAsync(CancellationToken.None);
        }
    }
}
