using EscalationFunctions.Engine.Tick;
using EscalationFunctions.Tests.Support;
using Npgsql;

namespace EscalationFunctions.Tests.Data;

[Lane(TestLane.Database)]
public class IdempotentEventTests(DatabaseFixture fixture) : DatabaseTest(fixture)
{
    private Task<int> InsertEventAsync(string key, int level, string hash) =>
        Db.ExecuteAsync("INSERT INTO escalation_events (incident_key, level, unique_hash) VALUES (@k, @l, @h)",
            ("k", key), ("l", level), ("h", hash));

    [Fact]
    public async Task A_second_event_for_the_same_incident_and_level_is_rejected()
    {
        await InsertEventAsync("INC-1", 1, EscalationHash.Of("INC-1", 1));

        var e = await Assert.ThrowsAsync<PostgresException>(() => InsertEventAsync("INC-1", 1, EscalationHash.Of("INC-1", 1)));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM escalation_events"));
    }

    [Fact]
    public async Task The_hash_is_the_lowercase_hex_sha256_of_key_pipe_level_in_CSharp_and_in_SQL()
    {
        // Known vector, from: printf 'INC-42|3' | sha256sum
        Assert.Equal("1f272125ca53931feb399651ed97b0e8ef5cdc68ddb4bebe019d76ebd8481c48", EscalationHash.Of("INC-42", 3));

        foreach (var (key, level) in new[] { ("INC-42", 3), ("ключ/ü", 1), ("a|b", 12) })
        {
            var sql = await Db.ScalarAsync<string>("SELECT escalation_hash(@k, @l)", ("k", key), ("l", level));
            Assert.Equal(EscalationHash.Of(key, level), sql);
        }
    }

    [Fact]
    public async Task An_event_whose_hash_does_not_match_its_key_and_level_is_rejected()
    {
        var e = await Assert.ThrowsAsync<PostgresException>(() => InsertEventAsync("INC-2", 2, EscalationHash.Of("INC-2", 1)));

        Assert.Equal(PostgresErrorCodes.CheckViolation, e.SqlState);
    }

    [Fact]
    public async Task The_outbox_rejects_a_second_Slack_message_for_the_same_incident_and_level()
    {
        const string insert =
            """
            INSERT INTO notification_outbox (dedup_key, incident_key, level, route, severity, title)
            VALUES (@h, 'INC-3', 1, 'payments', 'critical', 'Card declines')
            """;
        await Db.ExecuteAsync(insert, ("h", EscalationHash.Of("INC-3", 1)));

        var e = await Assert.ThrowsAsync<PostgresException>(() => Db.ExecuteAsync(insert, ("h", EscalationHash.Of("INC-3", 1))));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
        Assert.Equal("ux_outbox_incident_level", e.ConstraintName);
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM notification_outbox"));
    }
}
