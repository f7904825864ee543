using System.Net;
using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Model;

namespace RedirectRouter.Core.Parsing.Documents;

/// <summary>How one document format writes a redirect rule: its key names, hints, and what it allows.</summary>
internal sealed record RedirectRuleSchema(
    IReadOnlyList<string> Keys,
    string DestinationKey,
    string DestinationMissing,
    Func<DocReader, DocField, IPAddress?> ReadDestination,
    string PortMissing,
    bool AllowRanges,
    string ProtocolHint,
    // Null: the protocol may be left out and is TCP.
    string? ProtocolMissing,
    // Null: the format has no home key.
    string? HomeKey,
    // Each format reports its errors in its own key order: protocol first (native) or destination first (EgressRouter).
    bool ProtocolFirst);

/// <summary>Reads one redirect rule mapping (destination, port, protocol, targetPort, optional home) for a format's schema.</summary>
internal static class RedirectRuleReader
{
    /// <summary>The rule, with the location of the rule and of each key given; null (after reporting) when any part does not read.</summary>
    public static RedirectRule? Read(DocNode node, string path, RedirectRuleSchema schema, DocReader reader, SourceMap map)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }
        reader.CheckKeys(mapping, path, schema.Keys);
        var protocolField = DocReader.Field(mapping, path, "protocol");
        var portField = DocReader.Field(mapping, path, "port");
        var destinationField = DocReader.Field(mapping, path, schema.DestinationKey);
        var targetField = DocReader.Field(mapping, path, "targetPort");
        var homeField = schema.HomeKey is { } homeKey ? DocReader.Field(mapping, path, homeKey) : default;

        Protocol? protocol = null;
        IPAddress? destination = null;
        if (schema.ProtocolFirst)
        {
            protocol = ReadProtocol();
        }
        else
        {
            destination = ReadDestination();
        }
        var local = reader.Ports(portField, schema.AllowRanges, schema.PortMissing);
        if (schema.ProtocolFirst)
        {
            destination = ReadDestination();
        }
        else
        {
            protocol = ReadProtocol();
        }
        var target = reader.Ports(targetField, schema.AllowRanges);
        var home = schema.HomeKey is null ? null : reader.Text(homeField);
        if (protocol is null || local is null || destination is null
            || (targetField.Node is not null && target is null) || (homeField.Node is not null && home is null))
        {
            return null;
        }
        var rule = new RedirectRule(protocol.Value, local.Value, destination, target, home);
        map.Add(rule, reader.At(mapping, path));
        reader.Locate(map, rule, portField);
        reader.Locate(map, rule, destinationField, "destination");
        reader.Locate(map, rule, targetField);
        reader.Locate(map, rule, homeField, "home");
        return rule;

        Protocol? ReadProtocol()
        {
            if (protocolField.Node is null)
            {
                if (schema.ProtocolMissing is null)
                {
                    return Protocol.Tcp;
                }
                reader.Missing(mapping, path, "protocol", schema.ProtocolMissing);
                return null;
            }
            return reader.Word<Protocol>(protocolField, EnumWords.TryParseProtocol, DiagnosticCodes.UnknownProtocol, "protocol", schema.ProtocolHint);
        }

        IPAddress? ReadDestination()
        {
            if (destinationField.Node is null)
            {
                reader.Missing(mapping, path, schema.DestinationKey, schema.DestinationMissing);
                return null;
            }
            return schema.ReadDestination(reader, destinationField);
        }
    }
}
