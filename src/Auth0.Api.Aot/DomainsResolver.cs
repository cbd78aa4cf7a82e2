using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot;

/// <summary>
/// Returns the domains a token may come from, for one verification (Multiple Custom Domains): for instance from the
/// request's host, or from a tenant table. Called on every verification, after the token is parsed and before any
/// network call; its answer is not cached. A token whose normalised issuer is not among the returned domains is refused
/// without a request to any issuer.
/// </summary>
/// <param name="context">The unverified, normalised issuer and what is known of the request.</param>
/// <param name="cancellationToken">The verification's cancellation token.</param>
/// <returns>The allowed domains, in any form <see cref="ApiClientOptions.Domain"/> accepts (normalised before use).</returns>
/// <remarks>
/// An exception, a <see langword="null"/> or empty list, a blank entry or an entry that is not a valid domain makes the
/// verification fail with <see cref="DomainsResolverException"/> (500); it does not affect other verifications.
/// </remarks>
public delegate ValueTask<IReadOnlyList<string>> DomainsResolver(DomainsResolverContext context, CancellationToken cancellationToken);
