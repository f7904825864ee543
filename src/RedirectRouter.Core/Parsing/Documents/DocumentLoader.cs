using System.Text;
using System.Text.Json;
using RedirectRouter.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RedirectRouter.Core.Parsing.Documents;

/// <summary>
/// Turns YAML or JSON text into <see cref="DocNode"/>s with line numbers. YAML goes through
/// YamlDotNet's parser events (no reflection, NativeAOT-safe), JSON through Utf8JsonReader.
/// </summary>
internal static class DocumentLoader
{
    /// <summary>Deeper nesting than this is no configuration; it also keeps recursion bounded on hostile input.</summary>
    private const int MaxDepth = 64;

    /// <summary>JSON if the first non-space character is '{', else YAML.</summary>
    public static bool LooksLikeJson(string text) => text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{');

    /// <summary>Loads a document; null (with errors in <paramref name="bag"/>) if it is not well-formed, or empty.</summary>
    public static DocNode? Load(string text, string sourceName, DiagnosticBag bag) =>
        LooksLikeJson(text) ? LoadJson(text, sourceName, bag) : LoadYaml(text, sourceName, bag);

    private static DocNode? LoadYaml(string text, string sourceName, DiagnosticBag bag)
    {
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }
            parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
            var root = ReadYaml(parser, anchors, sourceName, bag, 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                bag.Error(DiagnosticCodes.MultipleDocuments, new ConfigLocation(sourceName, (int)second.Start.Line, (int)second.Start.Column),
                    "the file holds more than one YAML document", "keep one document per file (remove the '---' separator)");
            }
            return root is DocScalar { IsNull: true } ? null : root;
        }
        catch (YamlException e)
        {
            bag.Error(DiagnosticCodes.Syntax, new ConfigLocation(sourceName, (int)e.Start.Line, (int)e.Start.Column),
                $"not well-formed YAML: {OneLine(e.Message)}");
            return null;
        }
        catch (DepthException e)
        {
            bag.Error(DiagnosticCodes.Syntax, new ConfigLocation(sourceName, e.Line), $"nesting deeper than {MaxDepth} levels");
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some malformed input; it is still a syntax error.
            bag.Error(DiagnosticCodes.Syntax, new ConfigLocation(sourceName), $"not well-formed YAML: {OneLine(e.Message)}");
            return null;
        }
    }

    private sealed class DepthException(int line) : Exception
    {
        public int Line { get; } = line;
    }

    private static DocNode ReadYaml(IParser parser, Dictionary<string, DocNode> anchors, string sourceName, DiagnosticBag bag, int depth)
    {
        var start = parser.Current!.Start;
        var (line, column) = ((int)start.Line, (int)start.Column);
        if (depth > MaxDepth)
        {
            throw new DepthException(line);
        }
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }
            throw new YamlException(alias.Start, alias.End, $"unknown alias '*{alias.Value}'");
        }
        DocNode node;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new DocScalar(line, column, scalar.Value, scalar.Style is ScalarStyle.Plain && !scalar.IsQuotedImplicit ? ScalarKind.Plain : ScalarKind.String);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
            var items = new List<DocNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadYaml(parser, anchors, sourceName, bag, depth + 1));
            }
            node = new DocSequence(line, column, items);
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
            var entries = new List<KeyValuePair<DocScalar, DocNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadYaml(parser, anchors, sourceName, bag, depth + 1);
                var value = ReadYaml(parser, anchors, sourceName, bag, depth + 1);
                AddEntry(entries, key, value, sourceName, bag);
            }
            node = new DocMapping(line, column, entries);
        }
        else
        {
            throw new YamlException(start, parser.Current.End, $"unexpected {parser.Current.GetType().Name}");
        }
        if (anchor is not null)
        {
            anchors[anchor] = node;
        }
        return node;
    }

    private static void AddEntry(List<KeyValuePair<DocScalar, DocNode>> entries, DocNode key, DocNode value, string sourceName, DiagnosticBag bag)
    {
        if (key is not DocScalar scalarKey)
        {
            bag.Error(DiagnosticCodes.WrongType, new ConfigLocation(sourceName, key.Line, key.Column),
                $"a mapping key must be a text value, found {key.KindName}");
            return;
        }
        if (entries.Any(e => e.Key.Value == scalarKey.Value))
        {
            var first = entries.First(e => e.Key.Value == scalarKey.Value).Key;
            bag.Error(DiagnosticCodes.DuplicateKey, new ConfigLocation(sourceName, key.Line, key.Column),
                $"key '{scalarKey.Value}' appears twice in one mapping (first on line {first.Line})", "remove one of them");
            return;
        }
        entries.Add(new(scalarKey, value));
    }

    private static DocNode? LoadJson(string text, string sourceName, DiagnosticBag bag)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = MaxDepth,
        });
        try
        {
            if (!reader.Read())
            {
                return null;
            }
            var root = ReadJson(ref reader, lineStarts, sourceName, bag);
            if (reader.Read())
            {
                // Utf8JsonReader reports trailing content as an exception on Read; reaching here means a second value.
                var (line, column) = Position(lineStarts, reader.TokenStartIndex);
                bag.Error(DiagnosticCodes.Syntax, new ConfigLocation(sourceName, line, column), "not well-formed JSON: more than one top-level value");
                return null;
            }
            return root;
        }
        catch (JsonException e)
        {
            bag.Error(DiagnosticCodes.Syntax, new ConfigLocation(sourceName, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1),
                $"not well-formed JSON: {OneLine(e.Message)}");
            return null;
        }
    }

    private static DocNode ReadJson(ref Utf8JsonReader reader, List<int> lineStarts, string sourceName, DiagnosticBag bag)
    {
        var (line, column) = Position(lineStarts, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<DocScalar, DocNode>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var (keyLine, keyColumn) = Position(lineStarts, reader.TokenStartIndex);
                    var key = new DocScalar(keyLine, keyColumn, reader.GetString()!, ScalarKind.String);
                    reader.Read();
                    var value = ReadJson(ref reader, lineStarts, sourceName, bag);
                    AddEntry(entries, key, value, sourceName, bag);
                }
                return new DocMapping(line, column, entries);
            case JsonTokenType.StartArray:
                var items = new List<DocNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadJson(ref reader, lineStarts, sourceName, bag));
                }
                return new DocSequence(line, column, items);
            case JsonTokenType.String:
                return new DocScalar(line, column, reader.GetString()!, ScalarKind.String);
            case JsonTokenType.Number:
                return new DocScalar(line, column, Encoding.UTF8.GetString(reader.ValueSpan), ScalarKind.Number);
            case JsonTokenType.True:
                return new DocScalar(line, column, "true", ScalarKind.Boolean);
            case JsonTokenType.False:
                return new DocScalar(line, column, "false", ScalarKind.Boolean);
            default:
                return new DocScalar(line, column, "null", ScalarKind.Null);
        }
    }

    private static (int Line, int Column) Position(List<int> lineStarts, long offset)
    {
        var index = lineStarts.BinarySearch((int)offset);
        var lineIndex = index >= 0 ? index : ~index - 1;
        return (lineIndex + 1, (int)offset - lineStarts[lineIndex] + 1);
    }

    private static string OneLine(string message)
    {
        var text = message.ReplaceLineEndings(" ");
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the location is reported separately.
        var marker = text.IndexOf("): ", StringComparison.Ordinal);
        return text.StartsWith("(Line", StringComparison.Ordinal) && marker >= 0 ? text[(marker + 3)..] : text;
    }
}
