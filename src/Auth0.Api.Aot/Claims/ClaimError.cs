namespace Auth0.Api.Aot;

/// <summary>Why typed claims could not be read from a payload: a stable kind, the claim and a description.</summary>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly struct ClaimError
{
    private readonly string? _message;

    private ClaimError(VerificationFailure failure, string? claim, string message)
    {
        Failure = failure;
        Claim = claim;
        _message = message;
    }

    /// <summary><see cref="VerificationFailure.ClaimMissing"/>, <see cref="VerificationFailure.ClaimInvalid"/> or <see cref="VerificationFailure.MalformedToken"/>.</summary>
    public VerificationFailure Failure { get; }

    /// <summary>The claim concerned, if any.</summary>
    public string? Claim { get; }

    /// <summary>The description, as a verification failure's.</summary>
    public string Message => _message ?? string.Empty;

    /// <summary>A required claim is absent: <c>Missing required claim: {name}</c> (the Python SDK's message).</summary>
    /// <param name="claim">The claim's name.</param>
    /// <returns>The error.</returns>
    public static ClaimError Missing(string claim) => new(VerificationFailure.ClaimMissing, claim, "Missing required claim: " + claim);

    /// <summary>A claim has the wrong JSON type or an unusable value: <c>Invalid '{name}' claim: must be {expected}</c>.</summary>
    /// <param name="claim">The claim's name.</param>
    /// <param name="expected">What it must be, e.g. <c>a string</c>.</param>
    /// <returns>The error.</returns>
    public static ClaimError Invalid(string claim, string expected) => new(VerificationFailure.ClaimInvalid, claim, "Invalid '" + claim + "' claim: must be " + expected);

    /// <summary>A claim appears twice in the payload.</summary>
    /// <param name="claim">The claim's name.</param>
    /// <returns>The error.</returns>
    public static ClaimError Duplicate(string claim) => new(VerificationFailure.MalformedToken, claim, Internal.Error.PayloadMessage + "duplicate claim '" + claim + "'");

    /// <summary>The payload is not one well-formed JSON object (not an object, truncated, trailing data, a bad escape in a name).</summary>
    /// <returns>The error.</returns>
    public static ClaimError NotAnObject() => new(VerificationFailure.MalformedToken, null, Internal.Error.PayloadMessage + "the payload is not a single valid JSON object");

    /// <summary>Returns the message.</summary>
    /// <returns>The message.</returns>
    public override string ToString() => Message;
}
