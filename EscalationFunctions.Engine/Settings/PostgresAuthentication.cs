namespace EscalationFunctions.Engine.Settings;

public enum PostgresAuthentication
{
    /// <summary>The password in <c>POSTGRES_CONNECTION_STRING</c> (or none, where the server trusts the client).</summary>
    Password,

    /// <summary>A Microsoft Entra ID access token of the app's identity, fetched and renewed by the host.</summary>
    Entra,
}
