using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.NoHttpTests;

/// <summary>
/// The Auth0ApiAotTracing build property (docs/observability.md, "Builds without spans"): the targets file, evaluated by
/// MSBuild in a child process for each combination with Auth0ApiAotHttpFetch, writes the Auth0.Api.Aot.Tracing switch
/// (trimmable) that its own value, or else Auth0ApiAotHttpFetch=false, asks for, and nothing when neither is set.
/// </summary>
public sealed class TracingSwitchTests
{
    [Theory]
    [InlineData("", "", null)]
    [InlineData("true", "", null)]
    [InlineData("false", "", "false")]
    [InlineData("false", "true", "true")]
    [InlineData("", "false", "false")]
    [InlineData("true", "false", "false")]
    [InlineData("", "true", "true")]
    public async Task The_tracing_switch_follows_its_own_property_else_the_http_fetch_property(string httpFetch, string tracing, string? expected)
    {
        string directory = Path.Combine(Path.GetTempPath(), "auth0-tracing-switch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string project = Path.Combine(directory, "probe.proj");
            string targets = Path.Combine(AppContext.BaseDirectory, "Auth0.Api.Aot.targets");
            await File.WriteAllTextAsync(project, "<Project><Import Project=\"" + targets + "\" /><Target Name=\"Build\" /></Project>");

            ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory,
            };
            foreach (string argument in new[] { "msbuild", project, "-nologo", "-getItem:RuntimeHostConfigurationOption" })
            {
                start.ArgumentList.Add(argument);
            }

            // Only the properties set (an empty global property could not be given a default by the targets file).
            if (httpFetch.Length > 0)
            {
                start.ArgumentList.Add("-p:Auth0ApiAotHttpFetch=" + httpFetch);
            }

            if (tracing.Length > 0)
            {
                start.ArgumentList.Add("-p:Auth0ApiAotTracing=" + tracing);
            }

            using Process process = Process.Start(start)!;
            Task<string> error = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, output + await error);

            string? value = null;
            bool trimmed = false;
            using (JsonDocument document = JsonDocument.Parse(output))
            {
                if (document.RootElement.GetProperty("Items").TryGetProperty("RuntimeHostConfigurationOption", out JsonElement items))
                {
                    foreach (JsonElement item in items.EnumerateArray())
                    {
                        if (item.GetProperty("Identity").GetString() == "Auth0.Api.Aot.Tracing")
                        {
                            value = item.GetProperty("Value").GetString();
                            trimmed = item.GetProperty("Trim").GetString() == "true";
                        }
                    }
                }
            }

            Assert.Equal(expected, value);
            Assert.Equal(expected is not null, trimmed);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
