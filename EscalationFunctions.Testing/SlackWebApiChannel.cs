using System.Text;

namespace EscalationFunctions.Testing;

/// <summary>
/// One channel of the stand-in: whether the bot may post there, its messages in ts order, and when
/// it last accepted a call (for the rate limit). Not thread-safe: the stand-in holds its lock.
/// </summary>
internal sealed class SlackWebApiChannel(string id)
{
    /// <summary>How much of a message's first line <see cref="Render"/> shows.</summary>
    public const int RenderedTextLength = 120;

    private readonly List<ChannelMessage> _messages = [];

    public string Id { get; } = id;

    public bool Member { get; set; } = true;

    public bool Archived { get; set; }

    public DateTimeOffset? LastAccepted { get; set; }

    public IReadOnlyList<ChannelMessage> Messages => _messages.ToArray();

    public bool HasTopLevelMessage(string ts) => _messages.Exists(m => m.Ts == ts && m.ThreadTs is null);

    public ChannelMessage? Find(string ts) => _messages.Find(m => m.Ts == ts);

    public void Add(ChannelMessage message) => _messages.Add(message);

    public void Replace(ChannelMessage updated) => _messages[_messages.FindIndex(m => m.Ts == updated.Ts)] = updated;

    /// <summary>
    /// The channel as a person would read it: top-level messages oldest first, each followed by its
    /// thread replies indented under it; first line of text, broadcast and edit markers.
    /// </summary>
    public string Render()
    {
        var picture = new StringBuilder();
        foreach (var root in _messages.Where(m => m.ThreadTs is null))
        {
            AppendLine(picture, root, indent: "");
            foreach (var reply in _messages.Where(m => m.ThreadTs == root.Ts))
            {
                AppendLine(picture, reply, indent: "    ↳ ");
            }
        }
        return picture.ToString();
    }

    private static void AppendLine(StringBuilder picture, ChannelMessage message, string indent)
    {
        picture.Append(indent).Append('[').Append(message.Ts).Append("] ");
        if (message.ReplyBroadcast)
        {
            picture.Append("(also sent to channel) ");
        }
        picture.Append(Summary(message));
        if (message.Updates > 0)
        {
            picture.Append("  (edited ").Append(message.Updates).Append("×)");
        }
        picture.Append('\n');
    }

    private static string Summary(ChannelMessage message)
    {
        if (message.Text.Length == 0)
        {
            return "(blocks only, no text)";
        }
        var lines = message.Text.Split('\n', 2);
        var firstLine = lines[0].TrimEnd('\r');
        if (firstLine.Length > RenderedTextLength)
        {
            var length = char.IsHighSurrogate(firstLine[RenderedTextLength - 1]) ? RenderedTextLength - 1 : RenderedTextLength;
            return firstLine[..length] + "…";
        }
        return lines.Length > 1 && lines[1].Trim().Length > 0 ? firstLine + " …" : firstLine;
    }
}
