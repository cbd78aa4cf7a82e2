using System;
using System.Reflection;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.AspNetCore.Tests.Api;

/// <summary>
/// Every change to the ASP.NET Core package's public surface is a reviewed diff of <c>PublicApi.approved.txt</c>
/// (habit 2); every public class is sealed (habit 1) but the events class, which JwtBearer users derive from as from
/// <c>JwtBearerEvents</c> (<see cref="Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions.EventsType"/>).
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly s_assembly = typeof(Auth0ApiHandler).Assembly;

    [Fact]
    public void Public_api_matches_the_approved_file()
    {
        string? change = PublicApiDescription.CompareWithApproved(s_assembly, "tests/Auth0.Api.Aot.AspNetCore.Tests/Api");
        Assert.True(change is null, change);
    }

    [Fact]
    public void Public_classes_are_sealed_but_the_events_class()
    {
        Assert.Equal([typeof(Auth0ApiEvents).FullName!], PublicApiDescription.OpenClasses(s_assembly));
    }

    [Fact]
    public void No_public_member_exposes_an_internal_namespace()
    {
        Assert.DoesNotContain(s_assembly.GetExportedTypes(), t => t.Namespace!.Contains("Internal", StringComparison.Ordinal));
    }
}
