namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// Waits with deadlines for the relay tests: a state that never comes, or a task that never ends, becomes a
/// failure that says what was awaited and what was seen — never a stuck suite.
/// </summary>
internal static class Bounded
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/> with <paramref name="state"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string> state)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within {timeout.TotalSeconds:0.#} s; {state()}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Awaits <paramref name="task"/>; fails naming <paramref name="what"/> when it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: did not finish within {timeout.TotalSeconds:0.#} s");
            throw;
        }
    }

    public static async Task WithinAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: did not finish within {timeout.TotalSeconds:0.#} s");
        }
    }
}
