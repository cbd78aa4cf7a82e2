using System;
using System.Reflection;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Sodium.Tests;

/// <summary>
/// Every change to the Sodium package's public surface is a reviewed diff of <c>PublicApi.approved.txt</c> (habit 2), as
/// for the other packages; its whole surface is one sealed provider with no public constructor.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly s_assembly = typeof(SodiumEd25519).Assembly;

    [Fact]
    public void Public_api_matches_the_approved_file()
    {
        string? change = PublicApiDescription.CompareWithApproved(s_assembly, "tests/Auth0.Api.Aot.Sodium.Tests");
        Assert.True(change is null, change);
    }

    [Fact]
    public void Public_classes_are_sealed_or_closed_abstract()
    {
        Assert.Empty(PublicApiDescription.OpenClasses(s_assembly));
    }

    [Fact]
    public void The_only_public_type_is_the_provider_and_it_has_no_public_constructor()
    {
        Assert.Equal([typeof(SodiumEd25519)], s_assembly.GetExportedTypes());
        Assert.Empty(typeof(SodiumEd25519).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
    }
}
