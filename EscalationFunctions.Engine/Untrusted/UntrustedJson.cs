using System.Text;
using System.Text.Json;

namespace EscalationFunctions.Engine.Untrusted;

/// <summary>
/// Reads the fields a route needs from JSON that anyone may have written (reference §6.1). Parsing
/// accepts what JSON allows; each needed field is then taken only when it is there once, has the
/// expected type and holds text that UTF-16 can carry. Anything else is a
/// <see cref="JsonFieldProblem"/> for a 400, never an exception. Fields a route does not read are
/// never looked at, so an oddity there (a repeated name, a lone surrogate) cannot fail the call.
/// </summary>
/// <remarks>
/// <see cref="JsonElement.GetString"/>, <see cref="JsonProperty.NameEquals(string)"/> and
/// <see cref="JsonElement.ValueEquals(string)"/> throw <see cref="InvalidOperationException"/> on an
/// escaped lone surrogate (<c>"\ud800"</c>); that is caught here, in one place.
/// </remarks>
public static class UntrustedJson
{
    /// <summary>
    /// Deeper than any payload the routes read needs: the clicked message Slack sends back is the
    /// caller's to shape, and its depth must not fail a click. The parser keeps no stack per level,
    /// and bodies are bounded (1 MiB at most), so depth costs nothing.
    /// </summary>
    public const int MaxDepth = 1024;

    /// <summary>Parses JSON text; false (nothing thrown) for anything that is not JSON.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }

    /// <inheritdoc cref="TryParse(ReadOnlyMemory{byte}, out JsonDocument)"/>
    public static bool TryParse(string text, out JsonDocument document) => TryParse(Encoding.UTF8.GetBytes(text), out document);

    /// <summary>The string <paramref name="name"/> of an object.</summary>
    public static JsonFieldProblem ReadString(JsonElement parent, string name, out string value)
    {
        value = "";
        var problem = Find(parent, name, out var field);
        if (problem != JsonFieldProblem.None)
        {
            return problem;
        }
        if (field.ValueKind != JsonValueKind.String)
        {
            return JsonFieldProblem.WrongType;
        }
        try
        {
            value = field.GetString()!;
            return JsonFieldProblem.None;
        }
        catch (InvalidOperationException)
        {
            return JsonFieldProblem.InvalidText;
        }
    }

    /// <summary>The member <paramref name="name"/> of an object, of the given kind (an object, an array).</summary>
    public static JsonFieldProblem ReadChild(JsonElement parent, string name, JsonValueKind kind, out JsonElement child)
    {
        var problem = Find(parent, name, out child);
        return problem != JsonFieldProblem.None ? problem : child.ValueKind == kind ? JsonFieldProblem.None : JsonFieldProblem.WrongType;
    }

    /// <summary>A string field that may be absent: its value, or null when it is absent, repeated, of another type or not valid text.</summary>
    public static string? OptionalString(JsonElement parent, string name) =>
        ReadString(parent, name, out var value) == JsonFieldProblem.None ? value : null;

    /// <summary>What a problem means, as the end of a sentence naming the field: "'user.id' is missing".</summary>
    public static string Describe(JsonFieldProblem problem, string field) => problem switch
    {
        JsonFieldProblem.Missing => $"'{field}' is missing",
        JsonFieldProblem.WrongType => $"'{field}' has the wrong type",
        JsonFieldProblem.Repeated => $"'{field}' is given more than once",
        JsonFieldProblem.InvalidText => $"'{field}' (or a name beside it) holds text that is not valid Unicode, such as a lone surrogate",
        _ => $"'{field}' is fine",
    };

    private static JsonFieldProblem Find(JsonElement parent, string name, out JsonElement field)
    {
        field = default;
        if (parent.ValueKind != JsonValueKind.Object)
        {
            return JsonFieldProblem.WrongType;
        }
        var found = false;
        try
        {
            foreach (var property in parent.EnumerateObject())
            {
                if (!property.NameEquals(name))
                {
                    continue;
                }
                if (found)
                {
                    return JsonFieldProblem.Repeated;
                }
                found = true;
                field = property.Value;
            }
        }
        catch (InvalidOperationException)
        {
            // A property name beside it escapes a lone surrogate: which field it was meant to be is unknowable.
            return JsonFieldProblem.InvalidText;
        }
        return found ? JsonFieldProblem.None : JsonFieldProblem.Missing;
    }
}
