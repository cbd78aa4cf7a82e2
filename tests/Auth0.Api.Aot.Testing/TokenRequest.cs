using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Auth0.Api.Aot.Testing;

/// <summary>A request to the loopback token endpoint, as received: headers, raw body and form fields in order.</summary>
public sealed class TokenRequest
{
    private TokenRequest(string? contentType, string? authorization, string body, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        ContentType = contentType;
        Authorization = authorization;
        Body = body;
        Form = form;
    }

    public string? ContentType { get; }

    public string? Authorization { get; }

    public string Body { get; }

    /// <summary>The form fields in order, repeated names kept (ASP.NET's form reader loses the order).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form { get; }

    /// <summary>The values of a field, in order.</summary>
    public IReadOnlyList<string> Values(string name)
    {
        List<string> values = [];
        foreach (KeyValuePair<string, string> field in Form)
        {
            if (field.Key == name)
            {
                values.Add(field.Value);
            }
        }

        return values;
    }

    /// <summary>The decoded Basic credentials, <c>id:secret</c>, or null.</summary>
    public string? BasicCredentials =>
        Authorization is { } value && value.StartsWith("Basic ", StringComparison.Ordinal)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(value["Basic ".Length..]))
            : null;

    internal static async Task<TokenRequest> ReadAsync(HttpRequest request)
    {
        using StreamReader reader = new(request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync().ConfigureAwait(false);
        List<KeyValuePair<string, string>> form = [];
        foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? pair : pair[..equals];
            string value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            form.Add(new(Decode(name), Decode(value)));
        }

        return new TokenRequest(request.ContentType, request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, body, form);
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
