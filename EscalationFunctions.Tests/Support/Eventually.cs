namespace EscalationFunctions.Tests.Support;

/// <summary>Waits for a condition that becomes true through background work, with a generous deadline.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not true after {within.TotalSeconds:F0} s: {what}");
            }
            await Task.Delay(50);
        }
    }
}
