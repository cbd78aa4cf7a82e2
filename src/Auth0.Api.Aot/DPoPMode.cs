namespace Auth0.Api.Aot;

/// <summary>How an API treats DPoP (RFC 9449) requests.</summary>
public enum DPoPMode
{
    /// <summary>Bearer and DPoP are both accepted; a DPoP-bound token must use the DPoP scheme. The default.</summary>
    Allowed = 0,

    /// <summary>Only the DPoP scheme is accepted.</summary>
    Required,

    /// <summary>Only Bearer is accepted; DPoP headers and <c>cnf</c> claims are ignored.</summary>
    Disabled,
}
