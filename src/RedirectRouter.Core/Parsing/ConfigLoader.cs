using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;
using RedirectRouter.Core.Parsing.Documents;
using RedirectRouter.Core.Parsing.EgressRouter;
using RedirectRouter.Core.Parsing.Native;
using RedirectRouter.Core.Parsing.OpenShift;
using RedirectRouter.Core.Validation;

namespace RedirectRouter.Core.Parsing;

/// <summary>The one entry point for every input: picks the format, parses, validates, and returns all findings.</summary>
public static class ConfigLoader
{
    /// <summary>
    /// Reads a configuration file: JSON if its first non-space character is '{', else YAML;
    /// an EgressRouter resource if it says <c>kind: EgressRouter</c>, else the native schema.
    /// </summary>
    /// <param name="text">The file content.</param>
    /// <param name="sourceName">The file name used in locations.</param>
    public static ConfigParseResult LoadFile(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var bag = new DiagnosticBag();
        var map = new SourceMap(new ConfigLocation(sourceName));
        var root = DocumentLoader.Load(text, sourceName, bag);
        if (root is null)
        {
            if (!bag.HasErrors)
            {
                bag.Error(DiagnosticCodes.EmptyConfig, map.Root, "the file is empty", "see docs/config.md for an example");
            }
            return new ConfigParseResult(ConfigFormat.Native, null, bag.Items, map);
        }
        var reader = new DocReader(sourceName, bag);
        if (reader.Mapping(root, "") is not { } mapping)
        {
            return new ConfigParseResult(ConfigFormat.Native, null, bag.Items, map);
        }

        var format = ConfigFormat.Native;
        if (DocReader.Get(mapping, "kind") is { } kindNode)
        {
            var kind = reader.Text(kindNode, "kind");
            if (kind is "List" or "EgressRouterList")
            {
                // "oc get egressrouter -o yaml" wraps the resources in a List; one EgressRouter in it is one router.
                if (UnwrapList(mapping, kindNode, kind, reader) is not { } item)
                {
                    return new ConfigParseResult(ConfigFormat.EgressRouterResource, null, bag.Items, map);
                }
                (mapping, reader) = item;
                format = ConfigFormat.EgressRouterResource;
            }
            else if (kind == "EgressRouter")
            {
                format = ConfigFormat.EgressRouterResource;
            }
            else
            {
                if (kind is not null)
                {
                    reader.Error(DiagnosticCodes.InvalidValue, kindNode, "kind", $"kind '{kind}' is not supported",
                        "use an EgressRouter resource (kind: EgressRouter) or a native config (no kind)");
                }
                return new ConfigParseResult(format, null, bag.Items, map);
            }
        }

        var config = format == ConfigFormat.EgressRouterResource
            ? EgressRouterParser.Parse(mapping, reader, map)
            : NativeConfigParser.Parse(mapping, reader, map);
        // Syntax findings first, then meaning; each group in file order, so the output reads top to bottom.
        var diagnostics = InFileOrder(bag.Items).Concat(InFileOrder(ConfigValidator.Validate(config, format, map))).ToList();
        return new ConfigParseResult(format, diagnostics.Any(d => d.IsError) ? null : config, diagnostics, map);
    }

    private static readonly string[] ListKeys = ["apiVersion", "kind", "metadata", "items"];

    private static (DocMapping Item, DocReader Reader)? UnwrapList(DocMapping list, DocNode kindNode, string kind, DocReader reader)
    {
        reader.CheckKeys(list, "", ListKeys);
        if (DocReader.Get(list, "items") is not { } itemsNode)
        {
            reader.Missing(list, "", "items", "a List holds its resources under items");
            return null;
        }
        if (reader.StrictList(itemsNode, "items") is not { } items)
        {
            return null;
        }
        if (items.Count != 1)
        {
            reader.Error(DiagnosticCodes.InvalidValue, itemsNode, "items",
                $"the {kind} holds {items.Count} resources; one router is configured by exactly one EgressRouter",
                items.Count == 0 ? "export the EgressRouter itself: oc get egressrouter NAME -o yaml" : "give one EgressRouter per file: oc get egressrouter NAME -o yaml");
            return null;
        }
        var itemReader = new DocReader(reader.SourceName, reader.Bag) { KeyPrefix = "items[0]" };
        if (itemReader.Mapping(items[0], "") is not { } item)
        {
            return null;
        }
        var itemKind = DocReader.Get(item, "kind") is { } itemKindNode ? itemReader.Text(itemKindNode, "kind") : null;
        if (itemKind != "EgressRouter")
        {
            itemReader.Error(DiagnosticCodes.InvalidValue, DocReader.Get(item, "kind") ?? item, "kind",
                itemKind is null ? $"the item of the {kind} has no kind" : $"the item of the {kind} is a {itemKind}, not an EgressRouter",
                "a List is read only when it holds one EgressRouter");
            return null;
        }
        reader.Warning(DiagnosticCodes.ListWrapper, kindNode, "kind", $"a {kind} holding one EgressRouter: its items[0] is read",
            "that is what oc get egressrouter -o yaml prints; oc get egressrouter NAME -o yaml gives the resource alone");
        return (item, itemReader);
    }

    private static IEnumerable<ConfigDiagnostic> InFileOrder(IEnumerable<ConfigDiagnostic> diagnostics) =>
        diagnostics.OrderBy(d => d.Location.Line ?? 0).ThenBy(d => d.Location.Column ?? 0);

    /// <summary>Reads the OpenShift environment variables and validates the result.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="destinationFileContent">The content of EGRESS_DESTINATION_FILE, if that variable is set and the file was read.</param>
    public static (OpenShiftEnvironmentResult OpenShift, ConfigParseResult Result) LoadEnvironment(
        IReadOnlyDictionary<string, string> environment, string? destinationFileContent = null)
    {
        var openShift = OpenShiftEnvironmentParser.Parse(environment, destinationFileContent);
        var diagnostics = openShift.Diagnostics.ToList();
        if (openShift.Config is { } config)
        {
            diagnostics.AddRange(ConfigValidator.Validate(config, ConfigFormat.OpenShiftEnvironment, openShift.SourceMap));
        }
        var hasErrors = diagnostics.Any(d => d.IsError);
        return (openShift, new ConfigParseResult(ConfigFormat.OpenShiftEnvironment, hasErrors ? null : openShift.Config, diagnostics, openShift.SourceMap));
    }
}
