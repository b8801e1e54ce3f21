using System.Text;
using System.Text.Json;
using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Security;

/// <summary>
/// The caller as App Service Authentication describes it in <c>X-MS-CLIENT-PRINCIPAL</c>: base64 of
/// <c>{"auth_typ", "claims": [{"typ", "val"}], "name_typ", "role_typ"}</c>. Roles are the claims
/// whose type is <c>roles</c> or equals <c>role_typ</c> (reference §6).
/// </summary>
public sealed record ClientPrincipal(string Name, IReadOnlySet<string> Roles)
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    // Claim types that name a caller when name_typ is missing or absent from the claims.
    private static readonly string[] NameClaims =
    [
        "name", "preferred_username", "upn", "email",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "http://schemas.microsoft.com/identity/claims/objectidentifier", "oid", "sub",
    ];

    private const int MaxNameLength = 200;

    public bool HasRole(string role) => Roles.Contains(role);

    /// <summary>Parses the header; false for anything that is not base64 of the expected JSON.</summary>
    public static bool TryParse(string? header, out ClientPrincipal principal)
    {
        principal = new ClientPrincipal("anonymous", new HashSet<string>());
        if (string.IsNullOrWhiteSpace(header) || header.Length > 16_384)
        {
            return false;
        }

        byte[] json;
        try
        {
            json = Convert.FromBase64String(header.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            var nameType = OptionalString(root, "name_typ");
            var roleType = OptionalString(root, "role_typ");
            var roles = new HashSet<string>(StringComparer.Ordinal);
            var values = new List<(string Type, string Value)>();
            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                var type = OptionalString(claim, "typ");
                var value = OptionalString(claim, "val");
                if (type is null || value is null)
                {
                    continue;
                }
                values.Add((type, value));
                if (type == "roles" || type == roleType)
                {
                    roles.Add(value);
                }
            }

            var name = values.FirstOrDefault(c => nameType is not null && c.Type == nameType).Value
                       ?? NameClaims.Select(t => values.FirstOrDefault(c => c.Type == t).Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))
                       ?? "unknown";
            // Any character may arrive (NUL, CR, ...): the name is audited and logged, escaped.
            principal = new ClientPrincipal(UntrustedText.Escape(name, MaxNameLength), roles);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8, or escapes a lone surrogate.
            return false;
        }
    }

    /// <summary>Builds the header value (the sign command and tests use it).</summary>
    public static string Encode(string name, IEnumerable<string> roles, string roleType = "roles") =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims = new[] { new { typ = "name", val = name } }.Concat(roles.Select(r => new { typ = roleType, val = r })),
            name_typ = "name",
            role_typ = roleType == "roles" ? "http://schemas.microsoft.com/ws/2008/06/identity/claims/role" : roleType,
        })));

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
