using System;
using System.Linq;
using System.Reflection;

namespace Auth0.Api.Aot.Sodium.Tests;

/// <summary>The Sodium package's whole public surface is one sealed provider with a private constructor.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_only_public_type_is_the_sealed_provider()
    {
        Type[] types = typeof(SodiumEd25519).Assembly.GetExportedTypes();
        Assert.Equal([typeof(SodiumEd25519)], types);
        Assert.True(typeof(SodiumEd25519).IsSealed);
        Assert.Empty(typeof(SodiumEd25519).GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.Equal(
            ["Instance", "TryImportPublicKey"],
            typeof(SodiumEd25519).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(m => m.Name)
                .Order(StringComparer.Ordinal));
    }
}
