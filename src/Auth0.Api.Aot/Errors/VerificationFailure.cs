namespace Auth0.Api.Aot;

/// <summary>
/// Why an access token, a DPoP proof or a request was rejected. Values are stable: callers, metrics and tests branch
/// on them, never on messages. docs/errors.md lists each with its HTTP status, error code and message; the access-token
/// kinds (from <see cref="TokenTooLarge"/> to <see cref="NotYetValid"/>) and the binding kinds answer 401
/// <c>invalid_token</c>.
/// </summary>
public enum VerificationFailure
{
    /// <summary>The token is valid.</summary>
    None = 0,

    /// <summary>No token was given (<c>invalid_request</c>, 400).</summary>
    MissingToken,

    /// <summary>The token is longer than <see cref="ApiClientOptions.MaxTokenLength"/>; nothing else was looked at.</summary>
    TokenTooLarge,

    /// <summary>Not three segments of strict base64url, or a header or payload that is not a JSON object of the right shape.</summary>
    MalformedToken,

    /// <summary>The header's <c>alg</c> is missing, symmetric, <c>none</c>, or not on the allow-list.</summary>
    AlgorithmNotAllowed,

    /// <summary>The header's <c>typ</c> is not an access-token type.</summary>
    TypeNotAllowed,

    /// <summary>The header has a <c>crit</c> member; no extension is understood.</summary>
    CriticalHeader,

    /// <summary>A required claim or header member is missing (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimMissing,

    /// <summary>A claim has the wrong JSON type or format (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimInvalid,

    /// <summary>A claim has the wrong value: issuer or audience (<see cref="VerifyAccessTokenException.Claim"/> names it).</summary>
    ClaimMismatch,

    /// <summary>The issuer is not one of the allowed domains.</summary>
    IssuerNotAllowed,

    /// <summary>
    /// The issuer's discovery document or JWKS could not be fetched or was unusable: the server's fault, answered 503
    /// <c>temporarily_unavailable</c> with <c>Retry-After</c> and no challenge (<see cref="ServiceUnavailableException"/>).
    /// </summary>
    KeySourceFailed,

    /// <summary>No key in the issuer's JWKS has the token's <c>kid</c> and fits its algorithm.</summary>
    KeyNotFound,

    /// <summary>The signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>The token is expired (<c>exp</c>, with <see cref="ApiClientOptions.ClockSkew"/>).</summary>
    Expired,

    /// <summary>The token is not valid yet (<c>nbf</c>, with <see cref="ApiClientOptions.ClockSkew"/>).</summary>
    NotYetValid,

    /// <summary>
    /// The <see cref="ApiClientOptions.DomainsResolver"/> failed or returned an unusable answer: a server fault, not a bad
    /// token (<see cref="DomainsResolverException"/>, 500, no challenge).
    /// </summary>
    DomainsResolverFailed,

    /// <summary>The request has no <c>Authorization</c> header (401, no error code: RFC 6750 section 3.1).</summary>
    AuthorizationMissing,

    /// <summary>The <c>Authorization</c> header is not a scheme followed by credentials (401, no error code).</summary>
    AuthorizationMalformed,

    /// <summary>The scheme is neither Bearer nor DPoP, or DPoP while <see cref="DPoPMode.Disabled"/> (401, no error code).</summary>
    SchemeNotSupported,

    /// <summary>A Bearer request while <see cref="DPoPMode.Required"/> (400 <c>invalid_request</c>).</summary>
    SchemeNotAllowed,

    /// <summary>A DPoP-scheme request without a <c>DPoP</c> header (400 <c>invalid_request</c>).</summary>
    DPoPProofMissing,

    /// <summary>A Bearer request that carries a <c>DPoP</c> header (400 <c>invalid_request</c>).</summary>
    BearerWithDPoPProof,

    /// <summary>A DPoP request without the HTTP method or URL that the proof is checked against (400 <c>invalid_request</c>).</summary>
    RequestContextMissing,

    /// <summary>More than one DPoP proof (400 <c>invalid_dpop_proof</c>, like every proof failure below but the nonce ones).</summary>
    MultipleDPoPProofs,

    /// <summary>The proof is longer than <see cref="ApiClientOptions.MaxDPoPProofLength"/>.</summary>
    ProofTooLarge,

    /// <summary>The proof is not three segments of strict base64url with JSON-object header and payload.</summary>
    ProofMalformed,

    /// <summary>The proof's <c>typ</c> is not <c>dpop+jwt</c>.</summary>
    ProofTypeInvalid,

    /// <summary>The proof header has a <c>crit</c> member (RFC 7515 section 4.1.11); no extension is understood.</summary>
    ProofCriticalHeader,

    /// <summary>The proof's <c>alg</c> is not on <see cref="ApiClientOptions.DPoPAlgorithms"/>.</summary>
    ProofAlgorithmNotAllowed,

    /// <summary>The proof's <c>jwk</c> is missing, private, or does not fit the algorithm.</summary>
    ProofKeyInvalid,

    /// <summary>The proof's signature does not verify with its <c>jwk</c>.</summary>
    ProofSignatureInvalid,

    /// <summary>A required proof claim (<c>iat</c>, <c>ath</c>, <c>htm</c>, <c>htu</c>, <c>jti</c>) is missing.</summary>
    ProofClaimMissing,

    /// <summary>A proof claim has the wrong type or an empty value (<c>jti</c>, <c>iat</c>).</summary>
    ProofClaimInvalid,

    /// <summary>The proof's <c>iat</c> is older than <see cref="ApiClientOptions.DPoPIatOffset"/>.</summary>
    ProofIatTooOld,

    /// <summary>The proof's <c>iat</c> is further ahead than <see cref="ApiClientOptions.DPoPIatLeeway"/>.</summary>
    ProofIatInFuture,

    /// <summary>The proof's <c>htm</c> is not the request's method.</summary>
    ProofMethodMismatch,

    /// <summary>The proof's <c>htu</c> is not the request's URL (WHATWG origin and path).</summary>
    ProofUrlMismatch,

    /// <summary>The proof's <c>ath</c> is not the hash of the access token.</summary>
    ProofTokenHashMismatch,

    /// <summary>Server nonces are on and the proof has no <c>nonce</c> (401 <c>use_dpop_nonce</c>, with a fresh <c>DPoP-Nonce</c>).</summary>
    ProofNonceMissing,

    /// <summary>The proof's <c>nonce</c> is not one this server issued, or is stale (401 <c>use_dpop_nonce</c>).</summary>
    ProofNonceInvalid,

    /// <summary>The proof (its key and <c>jti</c>) was already used.</summary>
    ProofReplayed,

    /// <summary>A DPoP request's token has no usable <c>cnf.jkt</c> (401 <c>invalid_token</c>).</summary>
    ConfirmationMissing,

    /// <summary>A DPoP request's token has a <c>cnf</c> that is not an object of the right shape (401 <c>invalid_token</c>).</summary>
    ConfirmationInvalid,

    /// <summary>The token's <c>cnf.jkt</c> is not the thumbprint of the proof's key (401 <c>invalid_token</c>).</summary>
    BindingMismatch,

    /// <summary>
    /// A token with a confirmation (<c>cnf</c>: a DPoP key, a certificate, an unknown or malformed one) was sent with the
    /// Bearer scheme, where its binding cannot be checked (401 <c>invalid_token</c>).
    /// </summary>
    BoundTokenAsBearer,

    /// <summary>
    /// The DPoP replay store cannot record the proof: a custom <see cref="IDPoPReplayStore"/> answered
    /// <see cref="DPoPReplayResult.Unavailable"/> or threw, or the in-memory store is full of live entries. A server
    /// fault, not the client's: 503 <c>temporarily_unavailable</c> with <c>Retry-After</c> and no challenge
    /// (<see cref="ServiceUnavailableException"/>); never reported as a replay.
    /// </summary>
    ProofReplayStoreUnavailable,

    /// <summary>
    /// The proof's key already holds its share of the in-memory replay store (<see cref="ApiClientOptions.DPoPReplayMaxKeyShare"/>):
    /// one client key sends proofs faster than the store can hold for it. 429 <c>temporarily_unavailable</c> with
    /// <c>Retry-After</c> and no challenge (<see cref="TooManyRequestsException"/>).
    /// </summary>
    ProofKeyQuotaExceeded,

    /// <summary>
    /// The <c>Authorization</c> value holds more than one set of credentials: a comma after the scheme, which no token
    /// contains, as when a client or a proxy sent several <c>Authorization</c> lines and they were joined (RFC 9110
    /// section 5.3). 400 <c>invalid_request</c>: RFC 6750 section 3.1 names a request that uses more than one method
    /// for including an access token.
    /// </summary>
    AuthorizationRepeated,
}
