using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>Waits (real time, bounded) for work the library does in the background, such as a refresh-ahead fetch.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, int timeoutMilliseconds = 10_000)
    {
        Stopwatch elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.ElapsedMilliseconds > timeoutMilliseconds)
            {
                Assert.Fail("The condition did not become true within " + timeoutMilliseconds + " ms.");
            }

            await Task.Delay(10);
        }
    }
}
