using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace RedirectRouter.Images.Tests;

/// <summary>One YAML document of a manifest file, as plain values: mappings, lists and strings.</summary>
internal sealed record ManifestDocument(string File, int Index, Dictionary<string, object?> Root)
{
    public string Kind => Root.Str("kind") ?? "";
    public string ApiVersion => Root.Str("apiVersion") ?? "";
    public string Name => Root.Map("metadata")?.Str("name") ?? "";
    public override string ToString() => $"{File}#{Index} {Kind}/{Name}";
}

/// <summary>A container in a pod spec, with what it takes from its pod and file.</summary>
internal sealed record ContainerRef(ManifestDocument Owner, Dictionary<string, object?> PodMetadata, Dictionary<string, object?> PodSpec,
    Dictionary<string, object?> Container, bool IsInit, IReadOnlyList<ManifestDocument> FileDocuments)
{
    public string Name => Container.Str("name") ?? "";
    public string Image => Container.Str("image") ?? "";
    public bool IsRouter => Image.Contains("redirect-router", StringComparison.Ordinal);
    public List<string> Args => Container.List("args")?.Select(a => a as string ?? "").ToList() ?? [];

    public Dictionary<string, string> Environment =>
        (Container.List("env") ?? []).OfType<Dictionary<string, object?>>()
            .ToDictionary(e => e.Str("name") ?? "", e => e.Str("value") ?? "", StringComparer.Ordinal);

    /// <summary>The env entries as written (value or valueFrom), by name.</summary>
    public Dictionary<string, Dictionary<string, object?>> EnvironmentEntries =>
        (Container.List("env") ?? []).OfType<Dictionary<string, object?>>()
            .ToDictionary(e => e.Str("name") ?? "", e => e, StringComparer.Ordinal);

    public string? Option(string name)
    {
        var args = Args;
        var i = args.IndexOf(name);
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : null;
    }

    /// <summary>The volume behind each mount: (mountPath, volume mapping).</summary>
    public IEnumerable<(string MountPath, Dictionary<string, object?> Volume)> Mounts()
    {
        var volumes = (PodSpec.List("volumes") ?? []).OfType<Dictionary<string, object?>>().ToDictionary(v => v.Str("name") ?? "");
        foreach (var mount in (Container.List("volumeMounts") ?? []).OfType<Dictionary<string, object?>>())
        {
            var volumeName = mount.Str("name") ?? "";
            yield return (mount.Str("mountPath") ?? "", volumes.TryGetValue(volumeName, out var v) ? v : new Dictionary<string, object?>());
        }
    }

    /// <summary>The files the container sees from ConfigMaps defined in the same file: path -> content.</summary>
    public Dictionary<string, string> ConfigMapFiles()
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (mountPath, volume) in Mounts())
        {
            if (volume.Map("configMap")?.Str("name") is not { } configMapName)
            {
                continue;
            }
            var configMap = FileDocuments.FirstOrDefault(d => d.Kind == "ConfigMap" && d.Name == configMapName);
            foreach (var (key, value) in configMap?.Root.Map("data") ?? [])
            {
                files[$"{mountPath.TrimEnd('/')}/{key}"] = value as string ?? "";
            }
        }
        return files;
    }
}

/// <summary>Loads every manifest under images/ and instantiates OpenShift templates with their parameters.</summary>
internal static partial class Manifests
{
    /// <summary>Sample values for template parameters that have no default.</summary>
    public static readonly IReadOnlyDictionary<string, string> TemplateSamples = new Dictionary<string, string>
    {
        ["EGRESS_SOURCE"] = "192.168.12.99/24",
        ["EGRESS_GATEWAY"] = "192.168.12.1",
        ["EGRESS_DESTINATION"] = "80 tcp 203.0.113.25\n8443 tcp 203.0.113.26 443\n203.0.113.27",
    };

    [GeneratedRegex(@"\$\{\{?([A-Za-z_][A-Za-z0-9_]*)\}?\}")]
    public static partial Regex ParameterReference();

    public static string RepoRoot { get; } = FindRoot();

    public static string ImagesDir => Path.Combine(RepoRoot, "images");

    public static IReadOnlyList<string> Files() =>
        Directory.EnumerateFiles(ImagesDir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    public static string Relative(string file) => Path.GetRelativePath(RepoRoot, file);

    /// <summary>Every document of a file as written (templates not instantiated).</summary>
    public static List<ManifestDocument> Load(string file) => Parse(File.ReadAllText(file), Relative(file));

    public static List<ManifestDocument> Parse(string text, string name)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select((d, i) => new ManifestDocument(name, i, ToValue(d.RootNode) as Dictionary<string, object?>
            ?? throw new InvalidDataException($"{name}#{i}: the document is not a mapping"))).ToList();
    }

    /// <summary>The objects a file deploys: its documents, with each Template replaced by its processed objects.</summary>
    public static List<ManifestDocument> Objects(string file) => Objects(Parse(File.ReadAllText(file), Relative(file)));

    /// <summary>The objects of documents already parsed (a manifest given as text).</summary>
    public static List<ManifestDocument> Objects(IReadOnlyList<ManifestDocument> documents)
    {
        var result = new List<ManifestDocument>();
        foreach (var doc in documents)
        {
            if (doc.Kind == "Template")
            {
                result.AddRange(Instantiate(doc));
            }
            else
            {
                result.Add(doc);
            }
        }
        return result;
    }

    /// <summary>Processes a template as `oc process` does: ${NAME} by the value as a string, ${{NAME}} by the value as YAML/JSON.</summary>
    public static List<ManifestDocument> Instantiate(ManifestDocument template)
    {
        var values = (template.Root.List("parameters") ?? []).OfType<Dictionary<string, object?>>().ToDictionary(
            p => p.Str("name") ?? "",
            p => p.Str("value") ?? (TemplateSamples.TryGetValue(p.Str("name") ?? "", out var sample) ? sample : ""));
        // The objects as JSON text, substituted textually: ${NAME} inside a JSON string, ${{NAME}} as a whole value.
        var objectsText = Serialize(template.Root.List("objects") ?? []);
        var processed = ParameterReference().Replace(objectsText, m =>
        {
            var value = values.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new InvalidDataException($"undeclared parameter {m.Value}");
            return m.Value.StartsWith("${{", StringComparison.Ordinal) ? value : JsonSerializer.Serialize(value)[1..^1];
        });
        var objects = JsonDocumentToValue(processed) as List<object?> ?? [];
        return objects.OfType<Dictionary<string, object?>>().Select((o, i) => new ManifestDocument(template.File, 100 + i, o)).ToList();
    }

    /// <summary>Every container of every pod spec (Pod, Deployment, ...) in a file's objects.</summary>
    public static List<ContainerRef> Containers(IReadOnlyList<ManifestDocument> objects)
    {
        var result = new List<ContainerRef>();
        foreach (var doc in objects)
        {
            var (metadata, spec) = doc.Kind switch
            {
                "Pod" => (doc.Root.Map("metadata"), doc.Root.Map("spec")),
                "Deployment" or "DaemonSet" or "StatefulSet" => (doc.Root.Map("spec")?.Map("template")?.Map("metadata"), doc.Root.Map("spec")?.Map("template")?.Map("spec")),
                _ => (null, null),
            };
            if (spec is null)
            {
                continue;
            }
            metadata ??= [];
            foreach (var c in (spec.List("initContainers") ?? []).OfType<Dictionary<string, object?>>())
            {
                result.Add(new ContainerRef(doc, metadata, spec, c, true, objects));
            }
            foreach (var c in (spec.List("containers") ?? []).OfType<Dictionary<string, object?>>())
            {
                result.Add(new ContainerRef(doc, metadata, spec, c, false, objects));
            }
        }
        return result;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RedirectRouter.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("RedirectRouter.sln not found above " + AppContext.BaseDirectory);
    }

    private static object? ToValue(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ToValue(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Select(ToValue).ToList(),
        YamlScalarNode s => s.Value,
        _ => null,
    };

    private static string Serialize(object? value) => value switch
    {
        Dictionary<string, object?> m => "{" + string.Join(",", m.Select(kv => JsonSerializer.Serialize(kv.Key) + ":" + Serialize(kv.Value))) + "}",
        List<object?> l => "[" + string.Join(",", l.Select(Serialize)) + "]",
        string s when ParameterReference().Match(s) is { Success: true } m && m.Value == s && s.StartsWith("${{", StringComparison.Ordinal) => s, // a whole ${{X}}: unquoted
        string s => JsonSerializer.Serialize(s),
        null => "null",
        _ => JsonSerializer.Serialize(value.ToString()),
    };

    private static object? JsonDocumentToValue(string json)
    {
        // YAML is a superset of JSON: reuse the YAML loader so scalars stay strings.
        var stream = new YamlStream();
        stream.Load(new StringReader(json));
        return ToValue(stream.Documents[0].RootNode);
    }
}

internal static class ValueExtensions
{
    public static Dictionary<string, object?>? Map(this Dictionary<string, object?> m, string key) =>
        m.TryGetValue(key, out var v) ? v as Dictionary<string, object?> : null;

    public static List<object?>? List(this Dictionary<string, object?> m, string key) =>
        m.TryGetValue(key, out var v) ? v as List<object?> : null;

    public static string? Str(this Dictionary<string, object?> m, string key) =>
        m.TryGetValue(key, out var v) ? v as string : null;
}
