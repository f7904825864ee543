using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RedirectRouter.Core.Serialization;

/// <summary>Writes an <see cref="OutNode"/> tree as YAML (YamlDotNet's emitter) or indented JSON (Utf8JsonWriter); no reflection.</summary>
public static partial class TreeWriter
{
    /// <summary>The tree as JSON, indented by two spaces, ending with a newline.</summary>
    public static string ToJson(OutNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 2, NewLine = "\n" }))
        {
            WriteJson(writer, node);
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteJson(Utf8JsonWriter writer, OutNode node)
    {
        switch (node)
        {
            case OutMap map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Entries)
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, value);
                }
                writer.WriteEndObject();
                break;
            case OutList list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteJson(writer, item);
                }
                writer.WriteEndArray();
                break;
            case OutScalar { IsLiteral: true } literal:
                writer.WriteRawValue(literal.Value);
                break;
            case OutScalar scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }

    /// <summary>The tree as block-style YAML.</summary>
    public static string ToYaml(OutNode node)
    {
        var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        WriteYaml(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteYaml(IEmitter emitter, OutNode node)
    {
        switch (node)
        {
            case OutMap map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                foreach (var (key, value) in map.Entries)
                {
                    emitter.Emit(PlainOrQuoted(key));
                    WriteYaml(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case OutList list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
                foreach (var item in list.Items)
                {
                    WriteYaml(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
            case OutScalar { IsLiteral: true } literal:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, literal.Value, ScalarStyle.Plain, true, false));
                break;
            case OutScalar scalar:
                emitter.Emit(PlainOrQuoted(scalar.Value));
                break;
        }
    }

    // Plain where YAML reads the text back as the same text (addresses, names); quoted otherwise ("null", "yes", "80", "::1").
    private static Scalar PlainOrQuoted(string text) =>
        SafePlain().IsMatch(text) && !ReservedPlain().IsMatch(text)
            ? new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false)
            : new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.DoubleQuoted, false, true);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._/-]*$|^[0-9][0-9A-Za-z._:/-]*[.:/][0-9A-Za-z._:/-]*$")]
    private static partial Regex SafePlain();

    [GeneratedRegex("^(null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[0-9_]+([.][0-9_]*)?([eE][-+]?[0-9]+)?|.*[-+:]$)$")]
    private static partial Regex ReservedPlain();
}
