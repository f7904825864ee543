using RedirectRouter.Core.Model;
using RedirectRouter.Netlink;

namespace RedirectRouter.Agent.Diagnostics;

/// <summary>What to inspect and how.</summary>
public sealed record DiagOptions
{
    /// <summary>A namespace name (under /run/netns) or a path; null with <see cref="Pid"/> null: diag's own namespace.</summary>
    public string? Netns { get; init; }

    /// <summary>The PID of any process in the router's pod.</summary>
    public int? Pid { get; init; }

    /// <summary>The node's namespace, where the parent NICs live (--host-netns).</summary>
    public string? HostNetns { get; init; }

    /// <summary>The desired state's configuration, when known.</summary>
    public RouterConfig? Config { get; init; }

    /// <summary>Where <see cref="Config"/> came from: <c>file</c>, <c>environment</c>, <c>pid-environment</c> or <c>none</c>.</summary>
    public string ConfigSource { get; init; } = "none";

    /// <summary>The configuration file, when one was read.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Actively check each gateway (ARP) and each IPv4 egress address (ARP probe for another holder).</summary>
    public bool Probe { get; init; }

    /// <summary>How long each probe listens for an answer.</summary>
    public TimeSpan ProbeWindow { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The agent's health endpoint, HOST:PORT, reached from inside the router's namespace.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary>The longest any one tool or request may take.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The namespace path for <see cref="Netns"/> / <see cref="Pid"/>; null for diag's own.</summary>
    public string? TargetPath => Pid is { } pid
        ? $"/proc/{pid}/ns/net"
        : Netns is null ? null : Netns.Contains('/', StringComparison.Ordinal) ? Netns : $"{NetNamespace.NamedNamespaceDirectory}/{Netns}";

    /// <summary><c>own</c>, <c>netns</c> or <c>pid</c>.</summary>
    public string SelectedBy => Pid is not null ? "pid" : Netns is not null ? "netns" : "own";
}

/// <summary>The router cannot be inspected at all (no such namespace, no privilege): exit code 3.</summary>
public sealed class DiagInspectException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DiagInspectException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DiagInspectException() : this("cannot inspect")
    {
    }

    /// <summary>Creates the exception.</summary>
    public DiagInspectException(string message) : this(message, null)
    {
    }
}
