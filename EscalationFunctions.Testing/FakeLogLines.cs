using Microsoft.Extensions.Logging.Testing;

namespace EscalationFunctions.Testing;

/// <summary>
/// What a <see cref="FakeLogCollector"/> holds, as the text tests assert on: one line per record,
/// "Level Category: message", followed by the exception's full text when there is one.
/// </summary>
public static class FakeLogLines
{
    extension(FakeLogCollector logs)
    {
        /// <summary>Every record so far, one line each, oldest first.</summary>
        public IReadOnlyList<string> Lines => logs.GetSnapshot().Select(Line).ToArray();

        /// <summary>Every line so far, joined by newlines.</summary>
        public string All => string.Join('\n', logs.Lines);
    }

    public static string Line(FakeLogRecord record) =>
        $"{record.Level} {record.Category}: {record.Message}{(record.Exception is null ? "" : " " + record.Exception)}";
}
