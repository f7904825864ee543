using RedirectRouter.Core.Model;

namespace RedirectRouter.Agent;

/// <summary>How the agent was asked to run (command-line options and their environment equivalents).</summary>
public sealed record RouterAgentOptions
{
    /// <summary>The configuration file, watched for changes by <c>run</c>; null when the configuration came from the environment.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>
    /// The <see cref="Inputs.ConfigFingerprint"/> of the configuration file's content as the command line read and
    /// parsed it (once): the supervisor compares later versions of the file with this, not with a second read that
    /// could already be a newer file. Only the fingerprint is kept, not the text (at 10,000 mappings, a MiB and more).
    /// </summary>
    public string? ConfigHash { get; init; }

    /// <summary>The node's network namespace, where parent NICs live and macvlans are created (<c>--host-netns</c>).</summary>
    public string? HostNetns { get; init; }

    /// <summary>The netfilter backend; null takes the configuration's.</summary>
    public NetfilterBackend? Backend { get; init; }

    /// <summary>Run even in a namespace that holds a parent NIC (the node's own).</summary>
    public bool Force { get; init; }

    /// <summary>Where to serve <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> (<c>host:port</c>); null: off.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary>On SIGTERM, remove what the agent set up before exiting.</summary>
    public bool CleanupOnExit { get; init; }

    /// <summary>How long to listen for another holder of an IPv4 egress address before claiming it; zero skips the probe.</summary>
    public TimeSpan DuplicateProbeWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The spacing of repeated announcements in <c>run</c>.</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Set up links, addresses and routes only, no NAT (the OpenShift http-proxy and dns-proxy modes).</summary>
    public bool NetworkOnly { get; init; }

    /// <summary>
    /// The configuration as the agent runs it: a metrics address given on the command line wins over the file's,
    /// so the planner exempts that port from redirection.
    /// </summary>
    public RouterConfig Effective(RouterConfig config) =>
        MetricsAddress is null ? config : config with { Settings = config.Settings with { MetricsAddress = MetricsAddress } };

    /// <summary>How long the supervisor waits for a burst of kernel events to settle before repairing.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(20);
}
