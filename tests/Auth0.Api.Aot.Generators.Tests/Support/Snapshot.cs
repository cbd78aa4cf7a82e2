using System;
using System.IO;
using Auth0.Api.Aot.Generators;

namespace Auth0.Api.Aot.Generators.Tests.Support;

/// <summary>
/// Approved-file snapshots: <c>Snapshots/&lt;name&gt;.approved.cs</c> is copied beside the test assembly and compared with
/// the actual text. On a mismatch the actual text is written as <c>&lt;name&gt;.received.cs</c> next to the approved file
/// in the repository (found by walking up to the solution file; [CallerFilePath] is no help, as CI builds are
/// deterministic and map source paths to /_/), and the test fails: review it, then copy it over the approved file.
/// </summary>
internal static class Snapshot
{
    /// <summary>Replaces the generator version in <c>[GeneratedCode]</c>, so a version bump does not touch every snapshot.</summary>
    public const string VersionPlaceholder = "FIXED_VERSION";

    public static void Match(string name, string actual)
    {
        actual = Scrub(actual);
        string approvedPath = Path.Combine(AppContext.BaseDirectory, "Snapshots", name + ".approved.cs");
        string? approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : null;
        if (string.Equals(approved, actual, StringComparison.Ordinal))
        {
            return;
        }

        string receivedPath = Path.Combine(SourceDirectory() ?? Path.GetDirectoryName(approvedPath)!, name + ".received.cs");
        File.WriteAllText(receivedPath, actual);
        Assert.Fail(approved is null
            ? $"No approved snapshot '{name}'. Review {receivedPath} and, if right, rename it to {name}.approved.cs."
            : $"Snapshot '{name}' differs from the approved file. Review {receivedPath} and, if intended, copy it over {name}.approved.cs.");
    }

    public static string Scrub(string text) => text.Replace(
        "(\"" + GeneratorInfo.Name + "\", \"" + GeneratorInfo.Version + "\")",
        "(\"" + GeneratorInfo.Name + "\", \"" + VersionPlaceholder + "\")",
        StringComparison.Ordinal);

    private static string? SourceDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Auth0.Api.Aot.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "Auth0.Api.Aot.Generators.Tests", "Snapshots");
            }
        }

        return null;
    }
}
