using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedirectRouter.Agent.Health;
using RedirectRouter.Agent.Supervision;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Agent;

/// <summary>The one place the long-running agent's services are registered with a generic host.</summary>
public static class AgentServices
{
    /// <summary>
    /// Registers the agent for <c>run</c>: the health and metrics endpoint (when an address is configured) and its
    /// rule-counter refresher, then the <see cref="RouterSupervisor"/> (resolve it to read its
    /// <see cref="RouterSupervisor.Failure"/>). A failed supervisor stops the host.
    /// </summary>
    /// <exception cref="ArgumentException">The metrics address is not a valid listen address.</exception>
    public static IServiceCollection AddRedirectRouterAgent(this IServiceCollection services, RouterConfig config, RouterAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        var address = options.MetricsAddress ?? config.Settings.MetricsAddress;
        if (address is not null)
        {
            // Checked now, so a bad address is bad input before anything starts.
            _ = HealthServer.Parse(address);
        }

        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        var metrics = new AgentMetrics();
        services.AddSingleton(metrics);
        // The registration must not keep the parsed configuration alive once the supervisor has it (it drops it
        // after planning: at 10,000 mappings that is most of an idle agent's heap); a singleton is made once.
        var initial = new StrongBox<RouterConfig?>(config);
        services.AddSingleton(sp => new RouterSupervisor(
            Interlocked.Exchange(ref initial.Value, null) ?? throw new InvalidOperationException("the supervisor is made once"),
            options, metrics, sp.GetRequiredService<ILoggerFactory>()));
        if (address is not null)
        {
            // Before the supervisor, so /healthz answers while the router is being set up.
            services.AddHostedService(sp => new HealthServer(address, metrics, sp.GetRequiredService<ILoggerFactory>().CreateLogger<HealthServer>()));
            services.AddHostedService(sp => new RuleCounterRefresher(metrics, async ct =>
                sp.GetRequiredService<RouterSupervisor>().Outcome is { } outcome && !options.NetworkOnly
                    ? await outcome.Backend.ReadCountersAsync(ct).ConfigureAwait(false)
                    : null, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RuleCounterRefresher>()));
        }

        services.AddHostedService(sp => sp.GetRequiredService<RouterSupervisor>());
        return services;
    }
}
