using System.Security.Cryptography;
using System.Text;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// The lowercase hex SHA-256 of <c>{incident_key}|{level}</c>: <c>escalation_events.unique_hash</c>
/// and the Slack dedup key (reference §3, §5). SQL computes the same in <c>escalation_hash</c>.
/// </summary>
public static class EscalationHash
{
    public static string Of(string incidentKey, int level) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{incidentKey}|{level}")));
}
