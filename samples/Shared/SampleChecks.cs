// Shared by the samples' clients (linked into each): named checks, printed as they pass or fail, and the exit code.

using System;

namespace Auth0.Api.Aot.Samples;

/// <summary>Counts and prints checks; <see cref="ExitCode"/> is 0 only when at least one ran and none failed.</summary>
internal sealed class SampleChecks
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public int ExitCode => Failed == 0 && Passed > 0 ? 0 : 1;

    /// <summary>Prints <c>PASS</c> or <c>FAIL</c> and the check's name; a failure also prints <paramref name="detail"/>.</summary>
    public void Check(string name, bool ok, string detail)
    {
        Console.WriteLine($"{(ok ? "PASS" : "FAIL")}  {name}{(ok ? string.Empty : "  -- " + detail)}");
        if (ok)
        {
            Passed++;
        }
        else
        {
            Failed++;
        }
    }
}
