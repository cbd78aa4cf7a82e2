// The verified payload as a ClaimsPrincipal, the way JwtBearer users expect it but without its inbound remapping: claim
// types are the JWT names (sub, scope, permissions, https://example.com/roles...), scope is one claim per scope, an array
// one claim per element, numbers and booleans typed, objects (cnf, act) as JSON. Every claim's issuer is the token's iss.

using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.AspNetCore;

internal static class ClaimsMapping
{
    public const string JsonClaimValueType = "JSON";

    public static ClaimsPrincipal CreatePrincipal(AccessTokenClaims claims, string authenticationType, string nameClaimType, string roleClaimType)
    {
        string issuer = claims.Issuer;
        List<Claim> list = new(16);
        Utf8JsonReader reader = new(claims.PayloadUtf8.Span);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    Add(list, name, ref reader, issuer);
                }
            }
            else if (name == "scope" && reader.TokenType == JsonTokenType.String)
            {
                foreach (string scope in reader.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    list.Add(new Claim(name, scope, ClaimValueTypes.String, issuer));
                }
            }
            else
            {
                Add(list, name, ref reader, issuer);
            }
        }

        return new ClaimsPrincipal(new Auth0ApiIdentity(list, authenticationType, nameClaimType, roleClaimType));
    }

    private static void Add(List<Claim> list, string name, ref Utf8JsonReader reader, string issuer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                list.Add(new Claim(name, reader.GetString()!, ClaimValueTypes.String, issuer));
                break;
            case JsonTokenType.Number:
                string number = Encoding.UTF8.GetString(reader.ValueSpan);
                list.Add(new Claim(name, number, reader.TryGetInt64(out _) ? ClaimValueTypes.Integer64 : ClaimValueTypes.Double, issuer));
                break;
            case JsonTokenType.True or JsonTokenType.False:
                list.Add(new Claim(name, reader.TokenType == JsonTokenType.True ? "true" : "false", ClaimValueTypes.Boolean, issuer));
                break;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                using (JsonDocument value = JsonDocument.ParseValue(ref reader))
                {
                    list.Add(new Claim(name, value.RootElement.GetRawText(), JsonClaimValueType, issuer));
                }

                break;
            default:
                // null: no claim.
                break;
        }
    }
}

/// <summary>The identity an Auth0 API scheme makes from a verified access token; scope and permission requirements read only these.</summary>
public sealed class Auth0ApiIdentity : ClaimsIdentity
{
    /// <summary>Creates the identity.</summary>
    /// <param name="claims">The claims.</param>
    /// <param name="authenticationType">The scheme name.</param>
    /// <param name="nameType">The claim type of the name.</param>
    /// <param name="roleType">The claim type of roles.</param>
    public Auth0ApiIdentity(IEnumerable<Claim> claims, string authenticationType, string nameType, string roleType)
        : base(claims, authenticationType, nameType, roleType)
    {
    }

    private Auth0ApiIdentity(Auth0ApiIdentity other)
        : base(other)
    {
    }

    /// <inheritdoc/>
    public override ClaimsIdentity Clone() => new Auth0ApiIdentity(this);
}
