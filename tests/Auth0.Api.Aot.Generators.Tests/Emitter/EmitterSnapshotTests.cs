using Auth0.Api.Aot.Generators.Emit;
using Auth0.Api.Aot.Generators.Helpers;
using Auth0.Api.Aot.Generators.Model;
using Auth0.Api.Aot.Generators.Tests.Support;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Auth0.Api.Aot.Generators.Tests.Emitter;

/// <summary>The emitter alone, on hand-built specs: no compilation, no driver.</summary>
public sealed class EmitterSnapshotTests
{
    private static readonly ClaimKind[] s_allKinds =
    [
        ClaimKind.String, ClaimKind.Boolean, ClaimKind.Int32, ClaimKind.Int64,
        ClaimKind.Double, ClaimKind.NumericDate, ClaimKind.StringArray, ClaimKind.JsonElement,
    ];

    [Fact]
    public void Every_kind_required_in_a_namespaced_class()
    {
        ClaimsTypeSpec spec = Spec("My.Claims", "class", "RequiredClaims", [], AllKinds(isOptional: false));
        Verify("Emitter.RequiredKinds", spec, "My.Claims.RequiredClaims.g.cs");
    }

    [Fact]
    public void Every_kind_optional_in_a_namespaced_class()
    {
        ClaimsTypeSpec spec = Spec("My.Claims", "class", "OptionalClaims", [], AllKinds(isOptional: true));
        Verify("Emitter.OptionalKinds", spec, "My.Claims.OptionalClaims.g.cs");
    }

    [Fact]
    public void Record_in_the_global_namespace_mixing_required_and_optional()
    {
        ClaimsTypeSpec spec = Spec(string.Empty, "record", "GlobalClaims", [],
        [
            new("Subject", "sub", ClaimKind.String, IsOptional: false, SpaceDelimited: false),
            new("Scopes", "scope", ClaimKind.StringArray, IsOptional: false, SpaceDelimited: true),
            new("Audiences", "aud", ClaimKind.StringArray, IsOptional: true, SpaceDelimited: false),
            new("Expires", "exp", ClaimKind.NumericDate, IsOptional: false, SpaceDelimited: false),
            new("Tenant", "https://example.com/tenant", ClaimKind.String, IsOptional: true, SpaceDelimited: false),
        ]);
        Verify("Emitter.GlobalRecord", spec, "GlobalClaims.g.cs");
    }

    [Fact]
    public void Nested_type_reopens_each_containing_type()
    {
        ClaimsTypeSpec spec = Spec("My.Claims", "record", "Inner",
            [new("class", "Outer"), new("record struct", "Middle"), new("interface", "IHolder")],
            [new("Subject", "sub", ClaimKind.String, IsOptional: false, SpaceDelimited: false)]);
        Verify("Emitter.Nested", spec, "My.Claims.Outer.Middle.IHolder.Inner.g.cs");
    }

    [Fact]
    public void Type_without_claims_only_checks_the_object()
    {
        ClaimsTypeSpec spec = Spec("My.Claims", "class", "NoClaims", [], []);
        Verify("Emitter.NoClaims", spec, "My.Claims.NoClaims.g.cs");
    }

    [Fact]
    public void Claim_names_are_written_as_escaped_literals()
    {
        ClaimsTypeSpec spec = Spec("My.@event", "class", "@class", [],
        [
            new("Roles", "https://example.com/roles", ClaimKind.StringArray, IsOptional: true, SpaceDelimited: false),
            new("@namespace", "quote\"d", ClaimKind.String, IsOptional: true, SpaceDelimited: false),
            new("Backslash", "back\\slash", ClaimKind.String, IsOptional: true, SpaceDelimited: false),
            new("Controls", "tab\tnew\nline\r\0end\u0001\u007f", ClaimKind.String, IsOptional: true, SpaceDelimited: false),
            new("NonAscii", "caf\u00e9 \u2028 \U0001F600", ClaimKind.String, IsOptional: true, SpaceDelimited: false),
        ]);
        Verify("Emitter.EscapedNames", spec, "My.event.class.g.cs");
    }

    [Theory]
    [InlineData("sub", "\"sub\"")]
    [InlineData("https://example.com/roles", "\"https://example.com/roles\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("\t\n\r\0", "\"\\t\\n\\r\\0\"")]
    [InlineData("\u0085\u2028\u2029", "\"\\u0085\\u2028\\u2029\"")]
    [InlineData("\u00e9", "\"\\u00E9\"")]
    [InlineData("", "\"\"")]
    public void Literal_escapes_what_a_regular_string_literal_cannot_hold(string value, string expected)
    {
        Assert.Equal(expected, ClaimsSourceEmitter.Literal(value));
    }

    [Theory]
    [InlineData("https://example.com/roles")]
    [InlineData("quote\" and back\\slash")]
    [InlineData("\u0000\u0001\u001f\u007f\u0085\u00a0\u2028\u2029\ufeff")]
    [InlineData("surrogate pair \U0001F600 and \u00e9")]
    [InlineData("{\"json\":\"\\/\"}")]
    public void Literal_round_trips_through_the_csharp_parser(string value)
    {
        string literal = ClaimsSourceEmitter.Literal(value);
        ExpressionSyntax parsed = SyntaxFactory.ParseExpression(literal);
        LiteralExpressionSyntax expression = Assert.IsType<LiteralExpressionSyntax>(parsed);
        Assert.False(parsed.ContainsDiagnostics);
        Assert.Equal(value, expression.Token.ValueText);
        Assert.All(literal, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void Every_line_is_ascii_without_trailing_whitespace_or_carriage_return()
    {
        string text = ClaimsSourceEmitter.Emit(Spec("My.Claims", "class", "RequiredClaims", [], AllKinds(isOptional: false))).Text;
        Assert.DoesNotContain('\r', text);
        Assert.EndsWith("}\n", text, System.StringComparison.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            Assert.Equal(line.TrimEnd(), line);
            Assert.All(line, c => Assert.InRange(c, ' ', '~'));
        }
    }

    [Fact]
    public void Header_and_version_are_stamped()
    {
        string text = ClaimsSourceEmitter.Emit(Spec(string.Empty, "class", "C", [], [])).Text;
        Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", text, System.StringComparison.Ordinal);
        Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"Auth0.Api.Aot.Generators\", \"" + GeneratorInfo.Version + "\")]", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_version_is_the_runtime_library_version()
    {
        // The two ship in one package; [GeneratedCode] should name the package's version.
        System.Version runtime = typeof(AccessTokenClaimsAttribute).Assembly.GetName().Version!;
        Assert.Equal(runtime.ToString(3), GeneratorInfo.Version);
    }

    private static ClaimPropertySpec[] AllKinds(bool isOptional)
    {
        ClaimPropertySpec[] properties = new ClaimPropertySpec[s_allKinds.Length];
        for (int i = 0; i < s_allKinds.Length; i++)
        {
            ClaimKind kind = s_allKinds[i];
            properties[i] = new ClaimPropertySpec(kind + "Claim", kind.ToString().ToLowerInvariant(), kind, isOptional, SpaceDelimited: kind == ClaimKind.StringArray);
        }

        return properties;
    }

    private static ClaimsTypeSpec Spec(string ns, string keyword, string name, ContainingTypeSpec[] containing, ClaimPropertySpec[] properties)
    {
        string containingPath = string.Concat(System.Array.ConvertAll(containing, c => c.Name + "."));
        string qualified = (ns.Length > 0 ? ns + "." : string.Empty) + containingPath + name;
        string hint = qualified.Replace("@", string.Empty, System.StringComparison.Ordinal) + ".g.cs";
        return new ClaimsTypeSpec(ns, keyword, name, new EquatableArray<ContainingTypeSpec>(containing), "global::" + qualified, hint, new EquatableArray<ClaimPropertySpec>(properties));
    }

    private static void Verify(string snapshot, ClaimsTypeSpec spec, string expectedHintName)
    {
        GeneratedSource source = ClaimsSourceEmitter.Emit(spec);
        Assert.Equal(expectedHintName, source.HintName);
        Assert.Equal(source, ClaimsSourceEmitter.Emit(spec));
        Snapshot.Match(snapshot, source.Text);
    }
}
