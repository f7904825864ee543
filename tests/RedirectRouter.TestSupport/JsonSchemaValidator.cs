using System.Text.Json;

namespace RedirectRouter.TestSupport;

/// <summary>
/// A small JSON Schema (2020-12) validator for the keywords our documented schemas use: <c>type</c>, <c>const</c>,
/// <c>enum</c>, <c>required</c>, <c>properties</c>, <c>additionalProperties</c>, <c>items</c>, <c>oneOf</c>,
/// <c>minimum</c>, <c>maximum</c> and local <c>$ref</c> (<c>#/$defs/NAME</c>). A keyword it does not know fails
/// loudly, so a schema cannot silently outgrow it. With <c>strict</c>, a property the schema does not
/// declare is an error too (the schema must document every key written).
/// </summary>
public static class JsonSchemaValidator
{
    private static readonly HashSet<string> Known = ["$schema", "$id", "$defs", "$ref", "title", "description", "type", "const", "enum",
        "required", "properties", "additionalProperties", "items", "oneOf", "minimum", "maximum"];

    /// <summary>The errors of <paramref name="document"/> against <paramref name="schema"/>, each with its JSON path; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement document, bool strict = true)
    {
        var errors = new List<string>();
        Check(schema, schema, document, "$", strict, errors);
        return errors;
    }

    private static void Check(JsonElement root, JsonElement schema, JsonElement value, string path, bool strict, List<string> errors)
    {
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Known.Contains(keyword.Name))
            {
                throw new NotSupportedException($"schema keyword '{keyword.Name}' at {path} is not supported by this validator");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!;
            const string prefix = "#/$defs/";
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new NotSupportedException($"$ref '{name}' is not local");
            }

            Check(root, root.GetProperty("$defs").GetProperty(name[prefix.Length..]), value, path, strict, errors);
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => IsType(value, t)))
            {
                errors.Add($"{path}: expected {string.Join(" or ", types)}, got {value.ValueKind}");
                return;
            }
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{path}: expected {constant.GetRawText()}, got {value.GetRawText()}");
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value.GetRawText()} is not one of {allowed.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var min) && value.GetDouble() < min.GetDouble())
            {
                errors.Add($"{path}: {value.GetRawText()} is below {min.GetRawText()}");
            }

            if (schema.TryGetProperty("maximum", out var max) && value.GetDouble() > max.GetDouble())
            {
                errors.Add($"{path}: {value.GetRawText()} is above {max.GetRawText()}");
            }
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var matching = oneOf.EnumerateArray().Count(s =>
            {
                var sub = new List<string>();
                Check(root, s, value, path, strict, sub);
                return sub.Count == 0;
            });
            if (matching != 1)
            {
                errors.Add($"{path}: matches {matching} of the oneOf schemas, not exactly one");
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            CheckObject(root, schema, value, path, strict, errors);
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(root, items, item, $"{path}[{i++}]", strict, errors);
            }
        }
    }

    private static void CheckObject(JsonElement root, JsonElement schema, JsonElement value, string path, bool strict, List<string> errors)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{path}: required property '{name}' is missing");
                }
            }
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties);
        var hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out var sub))
            {
                Check(root, sub, property.Value, $"{path}.{property.Name}", strict, errors);
            }
            else if (hasAdditional && additional.ValueKind == JsonValueKind.Object)
            {
                Check(root, additional, property.Value, $"{path}.{property.Name}", strict, errors);
            }
            else if ((hasAdditional && additional.ValueKind == JsonValueKind.False) || (strict && hasProperties))
            {
                errors.Add($"{path}: property '{property.Name}' is not in the schema");
            }
        }
    }

    private static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _) || (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out _)),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"type '{type}'"),
    };

    /// <summary>Finds <paramref name="relative"/> (for example <c>docs/diag.schema.json</c>) in the repository above the test's directory.</summary>
    public static string FindRepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
