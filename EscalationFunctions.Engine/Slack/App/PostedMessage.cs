using EscalationFunctions.Engine.Slack.Messages;

namespace EscalationFunctions.Engine.Slack.App;

/// <summary>A message the app posted, read to be rewritten: where it is, what it shows, and each incident's state now.</summary>
public sealed record PostedMessage(long Id, string Channel, string Ts, bool IsDigest, IReadOnlyList<ShownEscalation> Shows,
    IReadOnlyDictionary<string, IncidentShownState> States)
{
    public IncidentShownState StateOf(string incidentKey) => States.GetValueOrDefault(incidentKey, IncidentShownState.Open);
}
