using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Server;

/// <summary>
/// The plain server's stand-in for Azure Functions' function keys: when <c>OPS_FUNCTION_KEY</c> is
/// set, a call must carry one of its keys in <c>x-functions-key</c> or <c>?code=</c>. In Azure the
/// Functions host does this itself before the app sees the request.
/// </summary>
public static class FunctionKeyCheck
{
    public const string Header = "x-functions-key";
    public const string QueryParameter = "code";

    public static bool IsAllowed(IReadOnlyList<string> keys, string? headerValue, string? queryValue)
    {
        if (keys.Count == 0)
        {
            return true;
        }
        var presented = Encoding.UTF8.GetBytes(!string.IsNullOrEmpty(headerValue) ? headerValue : queryValue ?? "");
        var matched = false;
        foreach (var key in keys)
        {
            matched |= CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), SHA256.HashData(presented));
        }
        return matched;
    }
}
