using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedirectRouter.Agent;
using RedirectRouter.Agent.Health;
using RedirectRouter.Agent.Network;
using RedirectRouter.Agent.Setup;
using RedirectRouter.Agent.Supervision;
using RedirectRouter.Core.Model;
using Serilog;

namespace RedirectRouter.Cli;

/// <summary>
/// Runs the agent for <c>init</c> (set up, announce once, exit) and <c>run</c> (set up and supervise under the
/// generic host, which only this command starts). Maps failures to the exit-code table.
/// </summary>
public static class AgentRunner
{
    /// <summary>Sets the router up and exits; prints what it did on stdout.</summary>
    public static int Init(RouterConfig config, RouterAgentOptions options, CliContext context, string logFormat)
    {
        using var loggers = AgentLogging.CreateFactory(logFormat, config.Settings.Debug);
        try
        {
            using var outcome = new RouterSetup(loggers).RunAsync(config, options, CancellationToken.None).GetAwaiter().GetResult();
            var total = outcome.Total.TotalMilliseconds;
            var steps = string.Join(", ", outcome.Timings.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Step} {t.Time.TotalMilliseconds:0.0} ms")));
            var scope = options.NetworkOnly ? ", network only" : "";
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"router set up in {total:0.0} ms ({outcome.Backend.Name}{scope}): {steps}"));
            return ExitCodes.Ok;
        }
        catch (Exception e)
        {
            return Fail(context, e);
        }
    }

    /// <summary>Sets the router up and supervises it until SIGTERM; a failed supervisor gives a non-zero exit code.</summary>
    public static int Run(RouterConfig config, RouterAgentOptions options, CliContext context, string logFormat)
    {
        var logger = AgentLogging.Create(logFormat, config.Settings.Debug);
        // Held connections to the endpoint must not starve the netlink sockets and tool pipes of descriptors.
        if (FileDescriptorLimit.RaiseSoftToHard() is var (before, after) && after != before)
        {
            logger.Information("open files: soft limit raised from {Before} to {After}", before, after);
        }

        // An empty builder: no appsettings, no reload-on-change, so no inotify watch on the working directory.
        // Its lifetime is the console's: SIGTERM and Ctrl-C stop the host gracefully.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(logger, dispose: true);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        try
        {
            builder.Services.AddRedirectRouterAgent(config, options);
        }
        catch (ArgumentException e)
        {
            return Fail(context, e);
        }

        using var host = builder.Build();
        var supervisor = host.Services.GetRequiredService<RouterSupervisor>();
        try
        {
            host.Run();
        }
        catch (Exception e)
        {
            return Fail(context, supervisor.Failure ?? e);
        }

        return supervisor.Failure is { } failure ? Fail(context, failure) : ExitCodes.Ok;
    }

    private static int Fail(CliContext context, Exception e)
    {
        switch (e)
        {
            case MissingPrerequisiteException missing:
                context.Stderr.WriteLine($"error: {missing.Message}");
                return ExitCodes.MissingPrivilegeOrTool;
            case SetupException setup:
                context.Stderr.WriteLine($"error: setup failed at step '{setup.Step}': {setup.Message}");
                return ExitCodes.RuntimeFailure;
            case Netfilter.Execution.ToolNotFoundException tool:
                context.Stderr.WriteLine($"error: a required tool is missing: {tool.Message}");
                return ExitCodes.MissingPrivilegeOrTool;
            case ArgumentException argument when argument is not ArgumentNullException:
                context.Stderr.WriteLine($"error: {argument.Message}");
                return ExitCodes.BadInput;
            case Netfilter.NetfilterException or Netlink.NetlinkException or IOException:
                context.Stderr.WriteLine($"error: {e.Message}");
                return ExitCodes.RuntimeFailure;
            default:
                // Not an expected failure: the whole exception helps whoever has to fix it.
                context.Stderr.WriteLine($"error: unexpected failure: {e}");
                return ExitCodes.RuntimeFailure;
        }
    }
}
