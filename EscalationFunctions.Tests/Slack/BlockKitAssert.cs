using System.Text.Json;

namespace EscalationFunctions.Tests.Slack;

/// <summary>
/// Checks a message's JSON against Slack's Block Kit limits, independently of the builders' own
/// constants: the numbers here are Slack's documented ones.
/// </summary>
internal static class BlockKitAssert
{
    public static JsonElement WithinLimits(string json, string because)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var text = Str(root.GetProperty("text"), because);
        Assert.True(text.Length <= 3000, $"text is {text.Length} characters ({because})");

        var blocks = root.GetProperty("blocks");
        Assert.True(blocks.GetArrayLength() is >= 1 and <= 50, $"{blocks.GetArrayLength()} blocks ({because})");
        foreach (var block in blocks.EnumerateArray())
        {
            // Slack: an action_id must be unique among the action_ids of its block.
            var actionIds = new HashSet<string>(StringComparer.Ordinal);
            switch (block.GetProperty("type").GetString())
            {
                case "header":
                    Assert.Equal("plain_text", block.GetProperty("text").GetProperty("type").GetString());
                    Within(block.GetProperty("text").GetProperty("text"), 150, "header", because);
                    break;
                case "section":
                    if (block.TryGetProperty("text", out var sectionText))
                    {
                        Within(sectionText.GetProperty("text"), 3000, "section text", because);
                    }
                    if (block.TryGetProperty("fields", out var fields))
                    {
                        Assert.True(fields.GetArrayLength() <= 10, $"{fields.GetArrayLength()} fields ({because})");
                        foreach (var field in fields.EnumerateArray())
                        {
                            Within(field.GetProperty("text"), 2000, "field", because);
                        }
                    }
                    Assert.True(block.TryGetProperty("text", out _) || block.TryGetProperty("fields", out _), $"empty section ({because})");
                    if (block.TryGetProperty("accessory", out var accessory))
                    {
                        Button(accessory, actionIds, because);
                    }
                    break;
                case "actions":
                    Assert.True(block.GetProperty("elements").GetArrayLength() is >= 1 and <= 25, because);
                    foreach (var element in block.GetProperty("elements").EnumerateArray())
                    {
                        Button(element, actionIds, because);
                    }
                    break;
                case "context":
                    Assert.True(block.GetProperty("elements").GetArrayLength() is >= 1 and <= 10, because);
                    foreach (var element in block.GetProperty("elements").EnumerateArray())
                    {
                        Within(element.GetProperty("text"), 3000, "context", because);
                    }
                    break;
                default:
                    Assert.Fail($"unexpected block type {block.GetProperty("type")} ({because})");
                    break;
            }
        }
        return root;
    }

    /// <summary>The link buttons of a message, in order.</summary>
    public static IReadOnlyList<JsonElement> Buttons(JsonElement root) =>
        root.GetProperty("blocks").EnumerateArray()
            .SelectMany(b => b.GetProperty("type").GetString() switch
            {
                "actions" => b.GetProperty("elements").EnumerateArray().ToArray(),
                "section" when b.TryGetProperty("accessory", out var a) => [a],
                _ => [],
            })
            .ToArray();

    /// <summary>Every text of the message a reader sees as mrkdwn (the top-level text included).</summary>
    public static IEnumerable<string> MrkdwnTexts(JsonElement root)
    {
        yield return root.GetProperty("text").GetString()!;
        foreach (var block in root.GetProperty("blocks").EnumerateArray())
        {
            if (block.TryGetProperty("text", out var t) && t.GetProperty("type").GetString() == "mrkdwn")
            {
                yield return t.GetProperty("text").GetString()!;
            }
            foreach (var name in new[] { "fields", "elements" })
            {
                if (block.TryGetProperty(name, out var items))
                {
                    foreach (var item in items.EnumerateArray().Where(i => i.GetProperty("type").GetString() == "mrkdwn"))
                    {
                        yield return item.GetProperty("text").GetString()!;
                    }
                }
            }
        }
    }

    private static void Button(JsonElement button, HashSet<string> actionIds, string because)
    {
        Assert.Equal("button", button.GetProperty("type").GetString());
        Within(button.GetProperty("text").GetProperty("text"), 75, "button text", because);
        if (button.TryGetProperty("url", out var url))
        {
            Within(url, 3000, "button url", because);
        }
        else
        {
            Within(button.GetProperty("value"), 2000, "button value", because);
        }
        var actionId = Str(button.GetProperty("action_id"), because);
        Assert.True(actionId.Length <= 255, because);
        Assert.True(actionIds.Add(actionId), $"action_id {actionId} twice ({because})");
    }

    private static void Within(JsonElement element, int max, string what, string because)
    {
        var value = Str(element, because);
        Assert.True(value.Length is > 0 && value.Length <= max, $"{what} is {value.Length} characters, limit {max} ({because})");
    }

    private static string Str(JsonElement element, string because)
    {
        var value = element.GetString()!;
        Assert.False(HasLoneSurrogate(value), $"lone surrogate in {value[..Math.Min(40, value.Length)]} ({because})");
        return value;
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }
        return false;
    }
}
