using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using RedirectRouter.Cli;
using RedirectRouter.Cli.Commands;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing;
using RedirectRouter.Core.Parsing.OpenShift;

namespace RedirectRouter.Images.Tests;

/// <summary>
/// Every manifest in images/ is parsed and checked: kinds and required fields, that the router
/// containers use only the environment variables the agent reads and a configuration the agent
/// accepts, that probes point at the agent's real endpoints and port, that the privilege matches
/// what the agent needs, and that each Service reaches a router on a redirected port.
/// Each test reports every problem it finds at once.
/// </summary>
public sealed partial class ManifestTests
{
    private static readonly Dictionary<string, string[]> KnownKinds = new(StringComparer.Ordinal)
    {
        ["ConfigMap"] = ["v1"],
        ["Service"] = ["v1"],
        ["Pod"] = ["v1"],
        ["Deployment"] = ["apps/v1"],
        ["PodDisruptionBudget"] = ["policy/v1"],
        ["NetworkAttachmentDefinition"] = ["k8s.cni.cncf.io/v1"],
        ["Template"] = ["template.openshift.io/v1", "v1"],
    };

    /// <summary>The agent's variables, from the constants it reads them by.</summary>
    private static readonly HashSet<string> AgentVariables = typeof(OpenShiftVariables)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    private const string HostNetnsCaps = "NET_ADMIN NET_RAW SYS_ADMIN";
    private const string OwnNetnsCaps = "NET_ADMIN NET_RAW";

    [GeneratedRegex(@"case ""(/[a-z]+)"":")]
    private static partial Regex EndpointCase();

    public static TheoryData<string> Files() => [.. Manifests.Files().Select(Manifests.Relative)];

    private static string Full(string relative) => Path.Combine(Manifests.RepoRoot, relative);

    [Fact]
    public void The_images_folder_holds_the_openshift_template_and_the_kubernetes_variants()
    {
        var files = Manifests.Files().Select(Manifests.Relative).ToList();
        Assert.Contains(files, f => f.StartsWith("images/openshift/", StringComparison.Ordinal));
        var all = files.SelectMany(f => Manifests.Objects(Full(f))).ToList();
        var routers = files.SelectMany(f => Manifests.Containers(Manifests.Objects(Full(f)))).Where(c => c.IsRouter).ToList();
        Assert.Contains(files.SelectMany(f => Manifests.Load(Full(f))), d => d.Kind == "Template");
        Assert.Contains(routers, c => c.IsInit && c.Environment.GetValueOrDefault(OpenShiftVariables.Mode) == "init" && c.Owner.Kind == "Deployment");
        Assert.Contains(routers, c => !c.IsInit && c.Args.FirstOrDefault() == "run" && c.Owner.Kind == "Deployment");
        Assert.Contains(all, d => d.Kind == "NetworkAttachmentDefinition");
        // Failover: one file with two routers of different egress IPs behind one Service.
        Assert.Contains(files, f =>
        {
            var objects = Manifests.Objects(Full(f));
            var sources = Manifests.Containers(objects).Where(c => c.IsRouter).Select(c => c.Environment.GetValueOrDefault(OpenShiftVariables.Source)).Distinct().Count();
            return sources >= 2 && objects.Count(d => d.Kind == "Service") == 1;
        });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_document_has_a_known_kind_apiVersion_and_name(string file)
    {
        var problems = new List<string>();
        var docs = Manifests.Load(Full(file));
        Assert.NotEmpty(docs);
        foreach (var doc in docs.Concat(Manifests.Objects(Full(file))))
        {
            if (!KnownKinds.TryGetValue(doc.Kind, out var versions))
            {
                problems.Add($"{doc}: unknown kind '{doc.Kind}'");
            }
            else if (!versions.Contains(doc.ApiVersion))
            {
                problems.Add($"{doc}: apiVersion '{doc.ApiVersion}' is not {string.Join(" or ", versions)}");
            }
            if (doc.Name.Length == 0)
            {
                problems.Add($"{doc}: no metadata.name");
            }
        }
        var names = docs.GroupBy(d => (d.Kind, d.Name)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Kind}/{g.Key.Name} twice");
        problems.AddRange(names);
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Required_fields_are_there(string file)
    {
        var problems = new List<string>();
        var objects = Manifests.Objects(Full(file));
        foreach (var doc in objects)
        {
            switch (doc.Kind)
            {
                case "Deployment":
                    var spec = doc.Root.Map("spec");
                    var match = spec?.Map("selector")?.Map("matchLabels");
                    var labels = spec?.Map("template")?.Map("metadata")?.Map("labels");
                    if (match is null || match.Count == 0 || labels is null || match.Any(kv => labels.Str(kv.Key) != (string?)kv.Value))
                    {
                        problems.Add($"{doc}: spec.selector.matchLabels must be set and match the pod template's labels");
                    }
                    if (spec?.Map("template")?.Map("spec")?.List("containers") is not { Count: > 0 })
                    {
                        problems.Add($"{doc}: no containers");
                    }
                    if (spec?.Str("replicas") is { } replicas && replicas != "1")
                    {
                        problems.Add($"{doc}: an egress router Deployment holds one egress IP: replicas must be 1 (see the failover recipe)");
                    }
                    if (spec?.Map("strategy")?.Str("type") != "Recreate")
                    {
                        problems.Add($"{doc}: strategy must be Recreate (the old pod must release the egress IP first)");
                    }
                    break;
                case "Pod":
                    if (doc.Root.Map("spec")?.List("containers") is not { Count: > 0 })
                    {
                        problems.Add($"{doc}: no containers");
                    }
                    break;
                case "Service":
                    if (doc.Root.Map("spec")?.Map("selector") is not { Count: > 0 })
                    {
                        problems.Add($"{doc}: no spec.selector");
                    }
                    var ports = doc.Root.Map("spec")?.List("ports")?.OfType<Dictionary<string, object?>>().ToList() ?? [];
                    if (ports.Count == 0 || ports.Any(p => !int.TryParse(p.Str("port"), out _)))
                    {
                        problems.Add($"{doc}: spec.ports must each have a numeric port");
                    }
                    if (ports.Count > 1 && ports.Any(p => string.IsNullOrEmpty(p.Str("name"))))
                    {
                        problems.Add($"{doc}: with several ports each needs a name");
                    }
                    break;
                case "ConfigMap":
                    if (doc.Root.Map("data") is not { Count: > 0 })
                    {
                        problems.Add($"{doc}: no data");
                    }
                    break;
                case "PodDisruptionBudget":
                    if (doc.Root.Map("spec")?.Map("selector")?.Map("matchLabels") is not { Count: > 0 })
                    {
                        problems.Add($"{doc}: no spec.selector.matchLabels");
                    }
                    break;
                case "NetworkAttachmentDefinition":
                    try
                    {
                        using var json = JsonDocument.Parse(doc.Root.Map("spec")?.Str("config") ?? "");
                        var config = json.RootElement;
                        foreach (var key in new[] { "cniVersion", "name", "type", "master" })
                        {
                            if (!config.TryGetProperty(key, out _))
                            {
                                problems.Add($"{doc}: spec.config has no '{key}'");
                            }
                        }
                        if (config.TryGetProperty("type", out var type) && type.GetString() != "macvlan")
                        {
                            problems.Add($"{doc}: spec.config type is '{type.GetString()}', not macvlan");
                        }
                    }
                    catch (JsonException e)
                    {
                        problems.Add($"{doc}: spec.config is not JSON: {e.Message}");
                    }
                    break;
            }
        }
        foreach (var c in Manifests.Containers(objects).Where(c => c.Name.Length == 0 || c.Image.Length == 0))
        {
            problems.Add($"{c.Owner}: a container without name or image");
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Router_containers_use_only_the_variables_the_agent_reads(string file)
    {
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Full(file))))
        {
            foreach (var name in c.Environment.Keys.Where(n => (c.IsRouter || n.StartsWith("EGRESS_", StringComparison.Ordinal)) && !AgentVariables.Contains(n)))
            {
                problems.Add($"{c.Owner} container {c.Name}: the agent does not read {name} (it reads {string.Join(", ", AgentVariables.Order())})");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Router_arguments_and_configuration_are_accepted_by_the_agent(string file)
    {
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Full(file))).Where(c => c.IsRouter))
        {
            var files = c.ConfigMapFiles();
            var context = Context(c, files, out var stdout, out var stderr);
            var parse = RootCommandFactory.Create(context).Parse(c.Args);
            if (parse.Errors.Count > 0)
            {
                problems.Add($"{c.Owner} container {c.Name}: args [{string.Join(' ', c.Args)}]: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            }
            if (c.Args.Count > 0 && c.Args[0] is not ("init" or "run"))
            {
                problems.Add($"{c.Owner} container {c.Name}: a router container runs init, run or the bare entrypoint, not '{c.Args[0]}'");
            }
            if (c.Args.Count == 0 && c.Environment.GetValueOrDefault(OpenShiftVariables.Mode) is not (null or "" or "init" or "legacy"))
            {
                problems.Add($"{c.Owner} container {c.Name}: EGRESS_ROUTER_MODE '{c.Environment[OpenShiftVariables.Mode]}' does not set up a redirect router");
            }
            if (c.IsInit != (c.Args.FirstOrDefault() == "init" || (c.Args.Count == 0 && c.Environment.GetValueOrDefault(OpenShiftVariables.Mode) == "init")))
            {
                problems.Add($"{c.Owner} container {c.Name}: init mode belongs in initContainers, run/legacy in containers");
            }

            // validate: the same reading of the variables (or the file) the agent does at start.
            string[] validate = c.Option("--config") is { } config ? ["validate", "--config", config] : ["validate"];
            var code = CommandLineRunner.Run(validate, context);
            if (code != 0)
            {
                problems.Add($"{c.Owner} container {c.Name}: '{string.Join(' ', validate)}' exits {code}: {stderr}{stdout}");
            }
            if (c.Environment.TryGetValue(OpenShiftVariables.DestinationFile, out var destinationFile) && !files.ContainsKey(destinationFile))
            {
                problems.Add($"{c.Owner} container {c.Name}: {OpenShiftVariables.DestinationFile}={destinationFile} is not a key of a ConfigMap mounted in the container");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Routers_have_the_privilege_and_mounts_they_need_and_no_more(string file)
    {
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Full(file))))
        {
            var security = c.Container.Map("securityContext") ?? [];
            var privileged = security.Str("privileged") == "true";
            var added = (security.Map("capabilities")?.List("add") ?? []).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var dropsAll = (security.Map("capabilities")?.List("drop") ?? []).OfType<string>().Contains("ALL");
            if (!c.IsRouter)
            {
                if (privileged || added.Count > 0)
                {
                    problems.Add($"{c.Owner} container {c.Name}: only the router needs privilege");
                }
                continue;
            }

            var hostNetns = c.Environment.GetValueOrDefault(OpenShiftVariables.HostNetns) ?? c.Option("--host-netns") ?? Config(c)?.Settings.HostNetns;
            if (!string.IsNullOrEmpty(hostNetns))
            {
                var mount = c.Mounts().FirstOrDefault(m => m.MountPath == hostNetns);
                if (mount.Volume?.Map("hostPath")?.Str("path") != "/proc/1/ns/net")
                {
                    problems.Add($"{c.Owner} container {c.Name}: the host netns {hostNetns} must be a mount of the hostPath /proc/1/ns/net");
                }
            }
            var needed = string.IsNullOrEmpty(hostNetns) ? OwnNetnsCaps : HostNetnsCaps;
            if (!privileged)
            {
                var missing = needed.Split(' ').Where(cap => !added.Contains(cap)).ToList();
                if (missing.Count > 0)
                {
                    problems.Add($"{c.Owner} container {c.Name}: capabilities.add lacks {string.Join(", ", missing)}");
                }
                var extra = added.Where(cap => !needed.Split(' ').Contains(cap)).ToList();
                if (extra.Count > 0)
                {
                    problems.Add($"{c.Owner} container {c.Name}: capabilities.add has {string.Join(", ", extra)}, which the agent does not need");
                }
                if (!dropsAll)
                {
                    problems.Add($"{c.Owner} container {c.Name}: capabilities should drop ALL before adding");
                }
                if (security.Str("runAsUser") != "0")
                {
                    problems.Add($"{c.Owner} container {c.Name}: capabilities are only effective for uid 0 (runAsUser: 0)");
                }
            }
            else if (!file.StartsWith("images/openshift/", StringComparison.Ordinal))
            {
                problems.Add($"{c.Owner} container {c.Name}: the Kubernetes manifests use capabilities, not privileged: true");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Probes_and_metrics_annotations_point_at_the_agents_endpoints(string file)
    {
        var endpoints = AgentEndpoints();
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Full(file))).Where(c => c.IsRouter))
        {
            var metrics = c.Option("--metrics") ?? Config(c)?.Settings.MetricsAddress;
            var long_running = !c.IsInit;
            if (long_running && metrics is null)
            {
                problems.Add($"{c.Owner} container {c.Name}: a long-running router should serve --metrics for its probes");
                continue;
            }
            if (metrics is null)
            {
                if (c.Container.ContainsKey("readinessProbe") || c.Container.ContainsKey("livenessProbe"))
                {
                    problems.Add($"{c.Owner} container {c.Name}: probes without --metrics");
                }
                continue;
            }
            var port = int.Parse(metrics[(metrics.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var host = metrics[..metrics.LastIndexOf(':')];
            if (host is "127.0.0.1" or "localhost" or "::1" or "[::1]")
            {
                problems.Add($"{c.Owner} container {c.Name}: metrics on {metrics} cannot be reached by the kubelet's probes");
            }
            var namedPorts = (c.Container.List("ports") ?? []).OfType<Dictionary<string, object?>>()
                .Where(p => p.Str("name") is not null).ToDictionary(p => p.Str("name")!, p => p.Str("containerPort"));
            foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz") })
            {
                if (c.Container.Map(probe) is not { } spec)
                {
                    if (probe != "startupProbe")
                    {
                        problems.Add($"{c.Owner} container {c.Name}: no {probe}");
                    }
                    continue;
                }
                var get = spec.Map("httpGet");
                var probePath = get?.Str("path");
                var probePort = get?.Str("port");
                if (probePort is not null && namedPorts.TryGetValue(probePort, out var resolved))
                {
                    probePort = resolved;
                }
                if (probePath != path || !endpoints.Contains(path))
                {
                    problems.Add($"{c.Owner} container {c.Name}: {probe} httpGet.path is '{probePath}', expected {path} (the agent serves {string.Join(", ", endpoints)})");
                }
                if (probePort != port.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    problems.Add($"{c.Owner} container {c.Name}: {probe} port {get?.Str("port")} is not the metrics port {port}");
                }
            }
            var annotations = c.PodMetadata.Map("annotations") ?? [];
            if (annotations.Str("prometheus.io/port") != port.ToString(System.Globalization.CultureInfo.InvariantCulture)
                || annotations.Str("prometheus.io/path") is not ("/metrics" or null) || annotations.Str("prometheus.io/scrape") != "true")
            {
                problems.Add($"{c.Owner}: prometheus.io annotations must say scrape \"true\", port \"{port}\", path /metrics");
            }
            if (!endpoints.Contains("/metrics"))
            {
                problems.Add("the agent serves no /metrics");
            }
            // The agent exempts its metrics port from the fallback, but a rule for that very port would take the probes away.
            if (Config(c)?.Rules.Any(r => r.Protocol == Protocol.Tcp && r.LocalPorts.First <= port && port <= r.LocalPorts.Last) == true)
            {
                problems.Add($"{c.Owner} container {c.Name}: the metrics port {port} is also a redirect rule's local port: the probes would be forwarded");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Services_send_redirected_ports_to_a_router(string file)
    {
        var problems = new List<string>();
        var objects = Manifests.Objects(Full(file));
        var routers = Manifests.Containers(objects).Where(c => c.IsRouter).ToList();
        foreach (var service in objects.Where(d => d.Kind == "Service"))
        {
            var selector = service.Root.Map("spec")?.Map("selector") ?? [];
            var selected = routers.Where(r => selector.All(kv => r.PodMetadata.Map("labels")?.Str(kv.Key) == (string?)kv.Value)).ToList();
            if (selected.Count == 0)
            {
                problems.Add($"{service}: the selector matches no egress router pod in the file");
                continue;
            }
            foreach (var port in service.Root.Map("spec")?.List("ports")?.OfType<Dictionary<string, object?>>() ?? [])
            {
                var target = int.TryParse(port.Str("targetPort") ?? port.Str("port"), out var t) ? t : -1;
                var protocol = (port.Str("protocol") ?? "TCP").ToUpperInvariant() switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp };
                foreach (var router in selected)
                {
                    var config = Config(router);
                    var redirected = config is not null && (config.Fallback.IPv4 is not null || config.Fallback.IPv6 is not null
                        || config.Rules.Any(r => r.Protocol == protocol && r.LocalPorts.First <= target && target <= r.LocalPorts.Last));
                    if (!redirected)
                    {
                        problems.Add($"{service}: port {port.Str("name")} ({protocol} {target}) is not a redirected port of {router.Owner} container {router.Name}");
                    }
                }
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Multus_routers_adopt_the_attachment_they_are_given(string file)
    {
        var objects = Manifests.Objects(Full(file));
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(objects).Where(c => c.IsRouter))
        {
            var networks = c.PodMetadata.Map("annotations")?.Str("k8s.v1.cni.cncf.io/networks");
            if (networks is null)
            {
                continue;
            }
            foreach (var name in networks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!objects.Any(d => d.Kind == "NetworkAttachmentDefinition" && d.Name == name.Split('@')[0].Split('/')[^1]))
                {
                    problems.Add($"{c.Owner}: network {name} is not defined in the file");
                }
            }
            var config = Config(c);
            if (config?.Homes.FirstOrDefault() is not { Origin: LinkOrigin.Adopt, InterfaceName: "net1" })
            {
                problems.Add($"{c.Owner} container {c.Name}: with one Multus attachment the first home must adopt net1");
            }
            if (!string.IsNullOrEmpty(config?.Settings.HostNetns) || c.Environment.ContainsKey(OpenShiftVariables.HostNetns))
            {
                problems.Add($"{c.Owner} container {c.Name}: an adopted attachment needs no host netns");
            }
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_openshift_template_declares_and_uses_its_parameters()
    {
        var problems = new List<string>();
        foreach (var file in Manifests.Files())
        {
            foreach (var template in Manifests.Load(file).Where(d => d.Kind == "Template"))
            {
                var declared = (template.Root.List("parameters") ?? []).OfType<Dictionary<string, object?>>().Select(p => p.Str("name") ?? "").ToList();
                var used = Manifests.ParameterReference().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
                problems.AddRange(used.Where(u => !declared.Contains(u)).Select(u => $"{template}: ${{{u}}} is not a parameter"));
                problems.AddRange(declared.Where(d => !used.Contains(d)).Select(d => $"{template}: parameter {d} is not used"));
                foreach (var required in new[] { "EGRESS_SOURCE", "EGRESS_GATEWAY", "EGRESS_DESTINATION", "NODE_SELECTOR", "IMAGE" })
                {
                    if (!declared.Contains(required))
                    {
                        problems.Add($"{template}: no parameter {required}");
                    }
                }
                var objects = Manifests.Instantiate(file, template);
                if (!objects.Any(o => o.Kind == "Service") || !Manifests.Containers(objects).Any(c => c.IsRouter && c.IsInit))
                {
                    problems.Add($"{template}: must create the router pod (init container) and its Service");
                }
                if (objects.FirstOrDefault(o => o.Kind == "Pod")?.Root.Map("spec")?.Map("nodeSelector") is not { Count: > 0 })
                {
                    problems.Add($"{template}: NODE_SELECTOR does not become the pod's nodeSelector");
                }
            }
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_agent_serves_the_endpoints_the_probes_use()
    {
        Assert.Equal(["/healthz", "/metrics", "/readyz"], AgentEndpoints().Order(StringComparer.Ordinal));
    }

    /// <summary>The paths the health server answers, read from its source.</summary>
    private static HashSet<string> AgentEndpoints()
    {
        var source = File.ReadAllText(Path.Combine(Manifests.RepoRoot, "src/RedirectRouter.Agent/Health/HealthServer.cs"));
        return EndpointCase().Matches(source).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The configuration the router container would run with (null if invalid).</summary>
    private static RouterConfig? Config(ContainerRef c)
    {
        var files = c.ConfigMapFiles();
        if (c.Option("--config") is { } path)
        {
            return files.TryGetValue(path, out var text) ? ConfigLoader.LoadFile(text, path).Config : null;
        }
        var destinationFile = c.Environment.GetValueOrDefault(OpenShiftVariables.DestinationFile);
        var content = destinationFile is not null && files.TryGetValue(destinationFile, out var d) ? d : null;
        return ConfigLoader.LoadEnvironment(c.Environment, content).Result.Config;
    }

    private static CliContext Context(ContainerRef c, Dictionary<string, string> files, out StringWriter stdout, out StringWriter stderr)
    {
        stdout = new StringWriter { NewLine = "\n" };
        stderr = new StringWriter { NewLine = "\n" };
        return new CliContext(stdout, stderr, c.Environment,
            path => files.TryGetValue(path, out var text) ? text : throw new FileNotFoundException($"Could not find file '{path}'."));
    }
}
