using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>
/// Waits for work the library does in the background, such as a refresh-ahead fetch, by reading its state until the
/// condition holds. The wall clock bounds the wait only as a hang guard: the default is far beyond any wait on a busy
/// machine, so a slow run is waited for and only a broken one fails.
/// </summary>
internal static class Eventually
{
    /// <summary>The default bound: a hang guard, never a measure of how long the work should take.</summary>
    public const int HangGuardMilliseconds = 60_000;

    public static async Task TrueAsync(Func<bool> condition, int timeoutMilliseconds = HangGuardMilliseconds)
    {
        Stopwatch elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.ElapsedMilliseconds > timeoutMilliseconds)
            {
                Assert.Fail("The condition did not become true within the hang guard (" + timeoutMilliseconds + " ms).");
            }

            await Task.Delay(10);
        }
    }
}
