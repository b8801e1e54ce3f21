
namespace EscalationFunctions.Engine.Settings;

/// <summary>A resolved webhook. <see cref="Label"/> is safe to log (a route in it is escaped); <see cref="Url"/> is a secret.</summary>
public sealed record SlackWebhook(Uri? Url, string Label)
{
    public override string ToString() => Label;
}
