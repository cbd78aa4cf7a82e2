using System;
using Auth0.Api.Aot;
using Microsoft.Azure.Functions.Worker;

namespace Auth0.Api.Aot.Functions;

/// <summary>The verified claims of the invocation, as the middleware left them.</summary>
public static class FunctionContextClaims
{
    internal const string ItemKey = "Auth0.Api.Aot.AccessTokenClaims";

    /// <summary>The claims of the access token the middleware verified for this invocation.</summary>
    /// <param name="context">The invocation.</param>
    /// <returns>The verified claims.</returns>
    /// <exception cref="InvalidOperationException">The middleware did not run for this invocation (not an HTTP trigger, or not registered).</exception>
    public static AccessTokenClaims GetAccessTokenClaims(this FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out object? value) && value is AccessTokenClaims claims
            ? claims
            : throw new InvalidOperationException("No verified access token for this invocation: is Auth0FunctionsMiddleware registered (UseMiddleware) and the function HTTP-triggered?");
    }
}
