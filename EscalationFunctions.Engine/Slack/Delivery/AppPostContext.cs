using EscalationFunctions.Engine.Slack.App;

namespace EscalationFunctions.Engine.Slack.Delivery;

/// <summary>What <see cref="SlackMessageComposer.PrepareAsync"/> read for the row <see cref="RowId"/>: a page's thread (null: none yet), or the message a rewrite changes (null: gone).</summary>
public sealed record AppPostContext(long RowId, string? ThreadTs, PostedMessage? Rewrite);
