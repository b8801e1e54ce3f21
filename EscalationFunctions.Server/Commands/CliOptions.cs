using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Server.Commands;

/// <summary>
/// Options that parse their own values, so that a bad one is a single line naming the option, the
/// value and what is expected (<c>--hours got 'abc': expected a whole number from 1 to 8784.</c>),
/// never System.CommandLine's type names nor, as a validator reading an unparsed value would, an
/// exception. Each option records what it expects, for the "needs a value" line too.
/// </summary>
public static partial class CliOptions
{
    private static readonly ConditionalWeakTable<Option, string> Expectations = new();

    public delegate bool TryParse<T>(string text, out T value);

    /// <summary>What <paramref name="option"/> expects, in words (its help name when it did not say).</summary>
    public static string Expected(Option option) =>
        Expectations.TryGetValue(option, out var expected) ? expected : option.HelpName is { } name ? $"a value ({name})" : "a value";

    /// <summary>An option with one value that <paramref name="parse"/> accepts; anything else is refused with <paramref name="expected"/>.</summary>
    public static Option<T> Create<T>(string name, string expected, TryParse<T> parse)
    {
        var option = new Option<T>(name);
        option.CustomParser = result =>
        {
            var text = string.Join(' ', result.Tokens.Select(t => t.Value));
            if (result.Tokens.Count == 1 && parse(text, out var value))
            {
                return value;
            }
            result.AddError(BadValue(name, text, expected));
            return default;
        };
        Expectations.AddOrUpdate(option, expected);
        return option;
    }

    /// <summary>Records what a plain option (a flag, a free text) expects, for the "needs a value" line.</summary>
    public static Option<T> Expecting<T>(this Option<T> option, string expected)
    {
        Expectations.AddOrUpdate(option, expected);
        return option;
    }

    public static Option<int> WholeNumber(string name, int min, int max) =>
        Create(name, $"a whole number from {min} to {max}", (string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);

    /// <summary>An absolute <c>http://</c> or <c>https://</c> URL.</summary>
    public static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
        !string.IsNullOrEmpty(uri.Host) && !text.Any(char.IsWhiteSpace) && !text.Any(char.IsControl);

    /// <summary>A name a shell can expand as <c>$NAME</c>: letters, digits and <c>_</c>, not starting with a digit.</summary>
    public static bool IsEnvironmentName(string text) => EnvironmentName().IsMatch(text);

    /// <summary>An HTTP method as curl sends it: letters only (GET, POST, …).</summary>
    public static bool IsHttpMethod(string text) => HttpMethod().IsMatch(text);

    /// <summary>The one line for a value that does not parse; the value escaped and cut, so the line stays one line.</summary>
    public static string BadValue(string option, string value, string expected) =>
        $"{option} got '{UntrustedText.Escape(value, 80)}': expected {expected}.";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^[A-Za-z]{1,20}\z")]
    private static partial Regex HttpMethod();
}
