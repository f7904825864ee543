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
    public void TheImagesFolderHoldsTheOpenshiftTemplateAndTheKubernetesVariants()
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
    public void EveryDocumentHasAKnownKindApiVersionAndName(string file)
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
    public void RequiredFieldsAreThere(string file)
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
    public void RouterContainersUseOnlyTheVariablesTheAgentReads(string file)
    {
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Full(file))))
        {
            // A variable the container's args name as $(NAME) is for Kubernetes to expand (POD_IP), not for the agent.
            var expanded = c.Args.SelectMany(a => ArgsReference().Matches(a).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
            foreach (var name in c.Environment.Keys.Where(n => (c.IsRouter || n.StartsWith("EGRESS_", StringComparison.Ordinal))
                && !AgentVariables.Contains(n) && !(expanded.Contains(n) && !n.StartsWith("EGRESS_", StringComparison.Ordinal))))
            {
                problems.Add($"{c.Owner} container {c.Name}: the agent does not read {name} (it reads {string.Join(", ", AgentVariables.Order())})");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void RouterArgumentsAndConfigurationAreAcceptedByTheAgent(string file)
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
    public void RoutersHaveThePrivilegeAndMountsTheyNeedAndNoMore(string file)
    {
        Assert.Empty(PrivilegeProblems(file, File.ReadAllText(Full(file))));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LongRunningRoutersBindTheMetricsListenerToThePodsAddressFromTheDownwardAPI(string file)
    {
        Assert.Empty(MetricsBindProblems(file, File.ReadAllText(Full(file))));
    }

    [Fact]
    public void ThePrivilegeChecksFindWhatACarelessManifestGetsWrong()
    {
        // The run manifest as it must not be: the long-running agent with SYS_ADMIN, spc_t and the node's
        // netns, no seccomp, a writable root, 0.0.0.0 metrics; a pause container with a capability, as root; a
        // privileged init container in a Kubernetes manifest.
        const string careless = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: egress-router}
            spec:
              replicas: 1
              selector: {matchLabels: {app: egress-router}}
              template:
                metadata: {labels: {app: egress-router}}
                spec:
                  containers:
                    - name: egress-router
                      image: registry.example.com/redirect-router:rhel7
                      args: [run, --metrics, "0.0.0.0:9100"]
                      env:
                        - {name: EGRESS_SOURCE, value: 192.168.12.99/24}
                        - {name: EGRESS_GATEWAY, value: 192.168.12.1}
                        - {name: EGRESS_DESTINATION, value: "80 tcp 203.0.113.25"}
                        - {name: EGRESS_ROUTER_HOST_NETNS, value: /host/proc/1/ns/net}
                      securityContext:
                        runAsUser: 0
                        capabilities: {drop: [ALL], add: [NET_ADMIN, NET_RAW, SYS_ADMIN]}
                        seLinuxOptions: {type: spc_t}
                      volumeMounts:
                        - {name: host-netns, mountPath: /host/proc/1/ns/net}
                    - name: wait
                      image: registry.k8s.io/pause:3.9
                      securityContext:
                        capabilities: {add: [NET_ADMIN]}
                  initContainers:
                    - name: setup
                      image: registry.example.com/redirect-router:rhel7
                      args: [init]
                      env:
                        - {name: EGRESS_SOURCE, value: 192.168.12.99/24}
                        - {name: EGRESS_GATEWAY, value: 192.168.12.1}
                        - {name: EGRESS_DESTINATION, value: "80 tcp 203.0.113.25"}
                      securityContext:
                        privileged: true
                  volumes:
                    - {name: host-netns, hostPath: {path: /proc/1/ns/net}}
            """;
        var problems = string.Join("\n", PrivilegeProblems("images/kubernetes/careless.yaml", careless));
        foreach (var expected in new[]
        {
            "container egress-router: a long-running router must not hold SYS_ADMIN",
            "container egress-router: a long-running router must not mount the node's network namespace (/host/proc/1/ns/net)",
            "container egress-router: a long-running router must not be given the node's network namespace (EGRESS_ROUTER_HOST_NETNS",
            "container egress-router: spc_t only for the init container that opens the node's network namespace at setup",
            "container egress-router: no seccompProfile RuntimeDefault",
            "container egress-router: readOnlyRootFilesystem must be true",
            "container egress-router: allowPrivilegeEscalation must be false",
            "container egress-router: /run must be a writable emptyDir",
            "container wait: only the router needs capabilities (add: NET_ADMIN)",
            "container wait: capabilities should drop ALL",
            "container wait: a container without capabilities must not run as root (runAsNonRoot: true",
            "container setup: privileged: true only in the OpenShift template",
            "careless.yaml:38: privileged: true without a comment right above it saying why (openshift-sdn)",
        })
        {
            Assert.Contains(expected, problems, StringComparison.Ordinal);
        }
        Assert.Contains("metrics on 0.0.0.0:9100: bind $(POD_IP):PORT", string.Join("\n", MetricsBindProblems("images/kubernetes/careless.yaml", careless)), StringComparison.Ordinal);

        // A privileged container in the template without the reason next to it, and in a long-running container.
        var template = File.ReadAllText(Path.Combine(Manifests.ImagesDir, "openshift/egress-router-template.yaml"));
        var reasonless = PrivilegeProblems("images/openshift/egress-router-template.yaml",
            template.Replace("# openshift-sdn makes macvlan0 only for a pod with a privileged container", "# needed", StringComparison.Ordinal));
        Assert.Contains(reasonless, p => p.Contains("privileged: true without a comment right above it saying why (openshift-sdn)", StringComparison.Ordinal));
        var waitPrivileged = PrivilegeProblems("images/openshift/egress-router-template.yaml",
            template.Replace("            runAsUser: 65534\n", "            privileged: true  # openshift-sdn\n", StringComparison.Ordinal));
        Assert.Contains(waitPrivileged, p => p.Contains("container egress-router-wait: privileged: true only for the init container", StringComparison.Ordinal));
        var noAnnotation = PrivilegeProblems("images/openshift/egress-router-template.yaml",
            template.Replace("pod.network.openshift.io/assign-macvlan: \"true\"", "example.com/other: \"true\"", StringComparison.Ordinal));
        Assert.Contains(noAnnotation, p => p.Contains("privileged without the openshift-sdn assign-macvlan annotation", StringComparison.Ordinal));
    }

    /// <summary>What is wrong with the privilege of the containers of a manifest (file: its path under the repository).</summary>
    private static List<string> PrivilegeProblems(string file, string text)
    {
        var problems = new List<string>();
        var objects = Manifests.Objects(Manifests.Parse(text, file));
        var inTemplate = file.StartsWith("images/openshift/", StringComparison.Ordinal);
        foreach (var c in Manifests.Containers(objects))
        {
            var where = $"{c.Owner} container {c.Name}";
            var security = c.Container.Map("securityContext") ?? [];
            var podSecurity = c.PodSpec.Map("securityContext") ?? [];
            var privileged = security.Str("privileged") == "true";
            var added = (security.Map("capabilities")?.List("add") ?? []).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var dropsAll = (security.Map("capabilities")?.List("drop") ?? []).OfType<string>().Contains("ALL");
            var nodeNetnsMounts = c.Mounts().Where(m => m.Volume.Map("hostPath")?.Str("path") is { } p && NodeNetnsPath().IsMatch(p)).Select(m => m.MountPath).ToList();
            var hostPathMounts = c.Mounts().Where(m => m.Volume.ContainsKey("hostPath")).Select(m => m.MountPath).ToList();
            var hostNetns = c.IsRouter ? c.Environment.GetValueOrDefault(OpenShiftVariables.HostNetns) ?? c.Option("--host-netns") ?? Config(c)?.Settings.HostNetns : null;

            // Every container: seccomp, read-only root, no privilege escalation.
            var seccomp = security.Map("seccompProfile")?.Str("type") ?? podSecurity.Map("seccompProfile")?.Str("type");
            if (seccomp != "RuntimeDefault")
            {
                problems.Add($"{where}: no seccompProfile RuntimeDefault (container or pod securityContext), it is '{seccomp}'");
            }
            if (security.Str("readOnlyRootFilesystem") != "true")
            {
                problems.Add($"{where}: readOnlyRootFilesystem must be true");
            }
            if (privileged)
            {
                if (security.Str("allowPrivilegeEscalation") == "false")
                {
                    problems.Add($"{where}: allowPrivilegeEscalation: false with privileged: true is refused by the API");
                }
            }
            else if (security.Str("allowPrivilegeEscalation") != "false")
            {
                problems.Add($"{where}: allowPrivilegeEscalation must be false");
            }
            if (!dropsAll && !privileged)
            {
                problems.Add($"{where}: capabilities should drop ALL (before adding what it needs)");
            }

            // privileged: only the template's init container, only for openshift-sdn's macvlan, and said why.
            if (privileged)
            {
                if (!inTemplate)
                {
                    problems.Add($"{where}: privileged: true only in the OpenShift template (openshift-sdn requires it there); the Kubernetes manifests use capabilities");
                }
                else if (!c.IsInit || !c.IsRouter)
                {
                    problems.Add($"{where}: privileged: true only for the init container that sets the router up and exits");
                }
                if (inTemplate && c.PodMetadata.Map("annotations")?.Str("pod.network.openshift.io/assign-macvlan") != "true")
                {
                    problems.Add($"{where}: privileged without the openshift-sdn assign-macvlan annotation, the only reason for it");
                }
            }

            if (!c.IsRouter)
            {
                if (added.Count > 0)
                {
                    problems.Add($"{where}: only the router needs capabilities (add: {string.Join(", ", added.Order(StringComparer.Ordinal))})");
                }
                var runAsNonRoot = security.Str("runAsNonRoot") ?? podSecurity.Str("runAsNonRoot");
                if (runAsNonRoot != "true" || (security.Str("runAsUser") ?? podSecurity.Str("runAsUser")) == "0")
                {
                    problems.Add($"{where}: a container without capabilities must not run as root (runAsNonRoot: true, a runAsUser other than 0)");
                }
                if (hostPathMounts.Count > 0)
                {
                    problems.Add($"{where}: mounts the node's {string.Join(", ", hostPathMounts)}");
                }
                continue;
            }

            // Routers: exactly the capabilities the agent needs for where it works.
            if (!string.IsNullOrEmpty(hostNetns))
            {
                var mount = c.Mounts().FirstOrDefault(m => m.MountPath == hostNetns);
                if (mount.Volume?.Map("hostPath")?.Str("path") != "/proc/1/ns/net")
                {
                    problems.Add($"{where}: the host netns {hostNetns} must be a mount of the hostPath /proc/1/ns/net");
                }
            }
            var needed = (string.IsNullOrEmpty(hostNetns) ? OwnNetnsCaps : HostNetnsCaps).Split(' ');
            if (!privileged)
            {
                var missing = needed.Where(cap => !added.Contains(cap)).ToList();
                if (missing.Count > 0)
                {
                    problems.Add($"{where}: capabilities.add lacks {string.Join(", ", missing)}");
                }
                var extra = added.Where(cap => !needed.Contains(cap)).ToList();
                if (extra.Count > 0)
                {
                    problems.Add($"{where}: capabilities.add has {string.Join(", ", extra)}, which the agent does not need");
                }
                if (security.Str("runAsUser") != "0")
                {
                    problems.Add($"{where}: capabilities are only effective for uid 0 (runAsUser: 0)");
                }
            }
            if (security.Map("seLinuxOptions")?.Str("type") == "spc_t" && (!c.IsInit || nodeNetnsMounts.Count == 0))
            {
                problems.Add($"{where}: spc_t only for the init container that opens the node's network namespace at setup");
            }
            // The long-running agent keeps NET_ADMIN and NET_RAW only: the node's namespace is the init container's business.
            if (!c.IsInit)
            {
                if (added.Contains("SYS_ADMIN") || privileged)
                {
                    problems.Add($"{where}: a long-running router must not hold SYS_ADMIN (or be privileged): an init container makes the macvlan");
                }
                foreach (var path in nodeNetnsMounts)
                {
                    problems.Add($"{where}: a long-running router must not mount the node's network namespace ({path})");
                }
                if (!string.IsNullOrEmpty(hostNetns))
                {
                    problems.Add($"{where}: a long-running router must not be given the node's network namespace ({OpenShiftVariables.HostNetns}, --host-netns or settings.hostNetns: {hostNetns})");
                }
                if (hostPathMounts.Except(nodeNetnsMounts).Any())
                {
                    problems.Add($"{where}: a long-running router mounts the node's {string.Join(", ", hostPathMounts.Except(nodeNetnsMounts))}");
                }
            }
            // A read-only root: /run, for the xtables lock the agent takes, is a writable in-memory volume.
            var run = c.Mounts().FirstOrDefault(m => m.MountPath == "/run");
            var runMount = (c.Container.List("volumeMounts") ?? []).OfType<Dictionary<string, object?>>().FirstOrDefault(m => m.Str("mountPath") == "/run");
            if (run.Volume?.ContainsKey("emptyDir") != true || runMount?.Str("readOnly") == "true")
            {
                problems.Add($"{where}: /run must be a writable emptyDir (the agent takes /run/xtables.lock for iptables-restore without --wait)");
            }
        }

        // Every privileged: true line has its reason in the comment right above it.
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!PrivilegedLine().IsMatch(lines[i]))
            {
                continue;
            }
            var comment = new List<string>();
            for (var j = i - 1; j >= 0 && lines[j].TrimStart().StartsWith('#'); j--)
            {
                comment.Add(lines[j]);
            }
            var sameLine = lines[i].Contains('#', StringComparison.Ordinal) ? lines[i][lines[i].IndexOf('#', StringComparison.Ordinal)..] : "";
            if (!string.Join(' ', comment).Contains("openshift-sdn", StringComparison.Ordinal) && !sameLine.Contains("openshift-sdn", StringComparison.Ordinal))
            {
                problems.Add($"{file}:{i + 1}: privileged: true without a comment right above it saying why (openshift-sdn)");
            }
        }
        return problems;
    }

    /// <summary>What is wrong with where the long-running routers of a manifest bind their metrics listener.</summary>
    private static List<string> MetricsBindProblems(string file, string text)
    {
        var problems = new List<string>();
        foreach (var c in Manifests.Containers(Manifests.Objects(Manifests.Parse(text, file))).Where(c => c.IsRouter && !c.IsInit))
        {
            var where = $"{c.Owner} container {c.Name}";
            var metrics = c.Option("--metrics") ?? Config(c)?.Settings.MetricsAddress;
            if (metrics is null || !PodIpEndpoint().IsMatch(metrics))
            {
                problems.Add($"{where}: metrics on {metrics ?? "(none)"}: bind $(POD_IP):PORT (--metrics), the pod's own address, not every address");
            }
            var podIp = c.EnvironmentEntries.GetValueOrDefault("POD_IP");
            if (podIp?.Map("valueFrom")?.Map("fieldRef")?.Str("fieldPath") != "status.podIP")
            {
                problems.Add($"{where}: env POD_IP must come from the downward API (valueFrom.fieldRef.fieldPath: status.podIP)");
            }
            foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            {
                if (c.Container.Map(probe)?.Map("httpGet")?.Str("host") is { } host)
                {
                    problems.Add($"{where}: {probe} httpGet.host {host}: without a host the kubelet connects to the pod IP, where the listener is");
                }
            }
        }
        return problems;
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex ArgsReference();

    [GeneratedRegex(@"^/proc/[^/]+/ns/net$")]
    private static partial Regex NodeNetnsPath();

    [GeneratedRegex(@"^\s*privileged:\s*(true|""true"")\s*(#.*)?$")]
    private static partial Regex PrivilegedLine();

    [GeneratedRegex(@"^\$\(POD_IP\):[0-9]{1,5}$")]
    private static partial Regex PodIpEndpoint();

    [Theory]
    [MemberData(nameof(Files))]
    public void ProbesAndMetricsAnnotationsPointAtTheAgentsEndpoints(string file)
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
    public void ServicesSendRedirectedPortsToARouter(string file)
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
    public void MultusRoutersAdoptTheAttachmentTheyAreGiven(string file)
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
    public void TheOpenshiftTemplateDeclaresAndUsesItsParameters()
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
                var objects = Manifests.Instantiate(template);
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
    public void TheAgentServesTheEndpointsTheProbesUse()
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
