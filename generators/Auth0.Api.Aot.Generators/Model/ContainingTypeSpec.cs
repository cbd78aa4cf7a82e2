namespace Auth0.Api.Aot.Generators.Model;

/// <summary>A type that contains a nested claims type; the emitter reopens it as a partial declaration.</summary>
/// <param name="Keyword">The declaration keyword: <c>class</c>, <c>struct</c>, <c>interface</c>, <c>record</c> or
/// <c>record struct</c>.</param>
/// <param name="Name">The type's identifier, escaped with <c>@</c> when it is a keyword.</param>
/// <remarks>Part of <see cref="ClaimsTypeSpec"/>, and bound by its cacheability contract.</remarks>
internal readonly record struct ContainingTypeSpec(string Keyword, string Name);
