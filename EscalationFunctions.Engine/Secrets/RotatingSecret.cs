using Microsoft.Extensions.Logging;

namespace EscalationFunctions.Engine.Secrets;

/// <summary>
/// A value parsed from secret settings that may rotate. It is parsed again only when the raw value
/// changes; a rotated value that does not parse is logged (by setting name, never by value) and
/// the last good value stays in use, so a typo in the vault cannot take the worker down.
/// </summary>
public sealed class RotatingSecret<TRaw, T>(
    string what,
    T startValue,
    Func<CancellationToken, ValueTask<TRaw>> readRaw,
    Func<TRaw, (T? Value, string? Problem)> parse,
    ILogger logger)
{
    private readonly Lock _lock = new();
    private bool _hasRaw;
    private TRaw _raw = default!;
    private T _value = startValue;

    public async ValueTask<T> GetAsync(CancellationToken ct)
    {
        var raw = await readRaw(ct);
        lock (_lock)
        {
            if (_hasRaw && EqualityComparer<TRaw>.Default.Equals(raw, _raw))
            {
                return _value;
            }
            var (value, problem) = parse(raw);
            var firstRead = !_hasRaw;
            _hasRaw = true;
            _raw = raw;
            if (problem is not null)
            {
                SecretsLog.RotatedToInvalidValue(logger, what, problem);
                return _value;
            }
            if (!firstRead)
            {
                SecretsLog.Rotated(logger, what);
            }
            _value = value!;
            return _value;
        }
    }
}
