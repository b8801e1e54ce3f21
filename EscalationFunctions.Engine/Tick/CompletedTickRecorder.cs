using EscalationFunctions.Engine.Endpoints.Answers;
using EscalationFunctions.Engine.Settings;
using EscalationFunctions.Engine.Telemetry;
using Npgsql;

namespace EscalationFunctions.Engine.Tick;

/// <summary>
/// Records a tick that got past the first gate: the heartbeat row behind <c>tickLagMs</c>
/// (<c>escalation_ticks</c>, with the tick's answer) and the tick's metrics.
/// </summary>
public sealed class CompletedTickRecorder(WorkerInstance instance, IMetricSink metrics)
{
    public async Task RecordAsync(NpgsqlConnection conn, TickResult result, CancellationToken ct)
    {
        await using (var cmd = new NpgsqlCommand(TickSql.RecordCompletedTick, conn))
        {
            cmd.Parameters.AddWithValue("instance_id", instance.Id);
            cmd.Parameters.AddWithValue("result", AnswerJson.Serialize(result.Answer()));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        metrics.Track(MetricNames.EscalationTickMs, result.DurationMs);
        metrics.Track(MetricNames.EscalationsCount, result.Escalations);
        metrics.Track(MetricNames.SkippedIdempotent, result.SkippedIdempotent);
    }
}
