using System;
using System.Reflection;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// Every change to the public surface is a reviewed diff of <c>PublicApi.approved.txt</c> (habit 2): on a mismatch the
/// test writes <c>PublicApi.received.txt</c> beside it. And every public class is sealed, or abstract with no
/// constructor callers outside the assembly can use.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly s_assembly = typeof(ApiClient).Assembly;

    [Fact]
    public void Public_api_matches_the_approved_file()
    {
        string? change = PublicApiDescription.CompareWithApproved(s_assembly, "tests/Auth0.Api.Aot.Tests/Api");
        Assert.True(change is null, change);
    }

    [Fact]
    public void Public_classes_are_sealed_or_closed_abstract()
    {
        Assert.Empty(PublicApiDescription.OpenClasses(s_assembly));
    }

    [Fact]
    public void No_public_member_exposes_an_internal_namespace()
    {
        Assert.DoesNotContain(s_assembly.GetExportedTypes(), t => t.Namespace!.Contains("Internal", StringComparison.Ordinal));
    }
}
