using System;
using System.Collections.Generic;
using System.IO;
using Auth0.Api.Aot;

namespace Auth0.Api.Aot.Lambda;

/// <summary>What the function does with an event.</summary>
internal enum LambdaMode
{
    /// <summary>An HTTP API Lambda authorizer (payload format 2.0, simple response).</summary>
    Authorizer,

    /// <summary>A protected HTTP API handler (proxy integration, payload format 2.0).</summary>
    Api,
}

/// <summary>The function's settings, read once from the environment at init.</summary>
internal sealed class LambdaSettings
{
    private LambdaSettings(LambdaMode mode, ApiClientOptions options)
    {
        Mode = mode;
        Options = options;
    }

    public LambdaMode Mode { get; }

    public ApiClientOptions Options { get; }

    /// <summary>
    /// Reads the settings. A missing or bad one throws <see cref="LambdaConfigurationException"/>, whose message names the
    /// variable and never repeats its value.
    /// </summary>
    public static LambdaSettings Read(Func<string, string?> environment, TimeProvider time)
    {
        string domain = Required(environment, "AUTH0_DOMAIN");
        string audience = Required(environment, "AUTH0_AUDIENCE");
        string jwks = Jwks(environment);
        LambdaMode mode = Optional(environment, "AUTH0_LAMBDA_MODE") switch
        {
            null or "authorizer" => LambdaMode.Authorizer,
            "api" => LambdaMode.Api,
            _ => throw new LambdaConfigurationException("AUTH0_LAMBDA_MODE must be 'authorizer' or 'api'"),
        };
        DPoPMode dpop = Optional(environment, "AUTH0_DPOP_MODE") switch
        {
            null or "allowed" => DPoPMode.Allowed,
            "required" => DPoPMode.Required,
            "disabled" => DPoPMode.Disabled,
            _ => throw new LambdaConfigurationException("AUTH0_DPOP_MODE must be 'allowed', 'required' or 'disabled'"),
        };

        return new LambdaSettings(mode, new ApiClientOptions
        {
            Domain = domain,
            Audience = audience,
            DPoPMode = dpop,
            TimeProvider = time,
            // The library normalises the domain (a scheme or trailing slash is accepted) for StaticJwks keys too.
            StaticJwks = new Dictionary<string, string> { [domain] = jwks },
        });
    }

    private static string Jwks(Func<string, string?> environment)
    {
        string? inline = Optional(environment, "AUTH0_JWKS");
        string? file = Optional(environment, "AUTH0_JWKS_FILE");
        if (inline is not null && file is not null)
        {
            throw new LambdaConfigurationException("set AUTH0_JWKS or AUTH0_JWKS_FILE, not both");
        }

        if (inline is not null)
        {
            return inline;
        }

        if (file is null)
        {
            throw new LambdaConfigurationException("AUTH0_JWKS (the tenant's JWKS document) or AUTH0_JWKS_FILE (a path to it) is required: keys are seeded, never fetched");
        }

        // Lambda unpacks the deployment zip into LAMBDA_TASK_ROOT (/var/task), the working directory of bootstrap.
        string path = Path.IsPathRooted(file) ? file : Path.Combine(Optional(environment, "LAMBDA_TASK_ROOT") ?? Directory.GetCurrentDirectory(), file);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LambdaConfigurationException("AUTH0_JWKS_FILE cannot be read (" + e.GetType().Name + ")");
        }
    }

    private static string Required(Func<string, string?> environment, string name) =>
        Optional(environment, name) ?? throw new LambdaConfigurationException(name + " is required");

    private static string? Optional(Func<string, string?> environment, string name) =>
        environment(name) is { Length: > 0 } value ? value : null;
}

/// <summary>A missing or invalid setting; the message names the variable, never its value.</summary>
internal sealed class LambdaConfigurationException(string message) : Exception(message);
