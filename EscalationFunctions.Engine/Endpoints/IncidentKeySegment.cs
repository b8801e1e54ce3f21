using EscalationFunctions.Engine.Untrusted;

namespace EscalationFunctions.Engine.Endpoints;

/// <summary>
/// Decodes an incident key from one path segment (reference §6.2) with <see cref="PercentEncoding"/>:
/// a segment that does not decode to valid UTF-8 (<c>%FF</c>, <c>%C3%28</c>, a stray <c>%</c>)
/// never names an incident, not even one whose key is that literal text (links write <c>%</c> as <c>%25</c>).
/// </summary>
public static class IncidentKeySegment
{
    public static bool TryDecode(string segment, out string key) => PercentEncoding.TryDecodeUtf8(segment, plusIsSpace: false, out key);
}
