using System.Globalization;
using System.Text;

namespace EscalationFunctions.Tests.Infra;

/// <summary>
/// A value the tests cannot know offline (a resource id, a <c>reference()</c> of a deployed
/// resource, <c>uniqueString()</c>...). It carries a canonical rendering of the expression that
/// produced it, so two paths to the same resource give equal values and a test can still check
/// *where* a value comes from (e.g. "the principal id of the identity the app runs as").
/// </summary>
public sealed record Symbolic(string Text)
{
    public override string ToString() => Text;
}

/// <summary>A <c>fail()</c> call that the template reached: the deployment would stop with this message.</summary>
public sealed class ArmFailException(string message) : Exception(message);

/// <summary>Parsed ARM template language expression (the text between the outer brackets).</summary>
public abstract record ArmExpr
{
    public sealed record Str(string Value) : ArmExpr
    {
        public override string ToString() => "'" + Value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    public sealed record Num(long Value) : ArmExpr
    {
        public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
    }

    public sealed record Call(string Name, IReadOnlyList<ArmExpr> Args) : ArmExpr
    {
        public override string ToString() => $"{Name}({string.Join(", ", Args)})";
    }

    public sealed record Prop(ArmExpr Target, string Name) : ArmExpr
    {
        public override string ToString() => $"{Target}.{Name}";
    }

    public sealed record Index(ArmExpr Target, ArmExpr Key) : ArmExpr
    {
        public override string ToString() => $"{Target}[{Key}]";
    }

    /// <summary>True when a JSON string value is an expression ("[...]" but not the "[[" escape).</summary>
    public static bool IsExpression(string text) =>
        text.Length >= 2 && text[0] == '[' && text[^1] == ']' && !text.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>A JSON string value that is not an expression: "[[" stands for a literal "[".</summary>
    public static string Literal(string text) => text.StartsWith("[[", StringComparison.Ordinal) ? text[1..] : text;

    public static ArmExpr Parse(string jsonString)
    {
        if (!IsExpression(jsonString))
        {
            throw new ArgumentException($"Not an ARM expression: {jsonString}", nameof(jsonString));
        }
        var parser = new Parser(jsonString[1..^1]);
        var expr = parser.ParseExpression();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw new FormatException($"Unexpected text at {parser.Position} in ARM expression: {jsonString}");
        }
        return expr;
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public int Position => _pos;
        public bool AtEnd => _pos >= text.Length;

        public void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        public ArmExpr ParseExpression()
        {
            var expr = ParsePrimary();
            while (true)
            {
                SkipSpace();
                if (Peek('.'))
                {
                    _pos++;
                    expr = new Prop(expr, Identifier());
                }
                else if (Peek('['))
                {
                    _pos++;
                    var key = ParseExpression();
                    Expect(']');
                    expr = new Index(expr, key);
                }
                else
                {
                    return expr;
                }
            }
        }

        private ArmExpr ParsePrimary()
        {
            SkipSpace();
            if (Peek('\''))
            {
                return new Str(StringLiteral());
            }
            if (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] == '-'))
            {
                var start = _pos++;
                while (_pos < text.Length && char.IsDigit(text[_pos]))
                {
                    _pos++;
                }
                return new Num(long.Parse(text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            }
            var name = Identifier();
            SkipSpace();
            Expect('(');
            var args = new List<ArmExpr>();
            SkipSpace();
            if (!Peek(')'))
            {
                while (true)
                {
                    args.Add(ParseExpression());
                    SkipSpace();
                    if (Peek(','))
                    {
                        _pos++;
                        continue;
                    }
                    break;
                }
            }
            Expect(')');
            return new Call(name, args);
        }

        private string Identifier()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_' || text[_pos] == '$'))
            {
                _pos++;
            }
            if (_pos == start)
            {
                throw new FormatException($"Expected a name at {start} in ARM expression: [{text}]");
            }
            return text[start.._pos];
        }

        private string StringLiteral()
        {
            Expect('\'');
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length)
                {
                    throw new FormatException($"Unterminated string in ARM expression: [{text}]");
                }
                var c = text[_pos++];
                if (c == '\'')
                {
                    if (Peek('\''))
                    {
                        sb.Append('\'');
                        _pos++;
                        continue;
                    }
                    return sb.ToString();
                }
                sb.Append(c);
            }
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private void Expect(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                throw new FormatException($"Expected '{c}' at {_pos} in ARM expression: [{text}]");
            }
            _pos++;
        }
    }
}
