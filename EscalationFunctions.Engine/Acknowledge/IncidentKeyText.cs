namespace EscalationFunctions.Engine.Acknowledge;

/// <summary>
/// Whether a key sent by a caller can be an incident key at all. PostgreSQL text cannot hold NUL
/// and a lone surrogate cannot be encoded to UTF-8: no incident has such a key, and sending one to
/// the database would fail the call instead of answering "not found".
/// </summary>
public static class IncidentKeyText
{
    public static bool CanExist(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '\0')
            {
                return false;
            }
            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}
