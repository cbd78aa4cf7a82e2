// application/problem+json bodies for refusals (RFC 9457): through the app's IProblemDetailsService when it has one,
// else written here with Utf8JsonWriter (no serializer, nothing to trim). `detail` is the error description, which the
// core keeps free of tokens and of client text outside RFC 6750's characters; for a server fault (500, 503) it is a
// fixed text, because those descriptions carry internal detail (a fetch error, a resolver's exception message).

using System;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0.Api.Aot.AspNetCore;

internal static class Problems
{
    public static string Detail(in RequestVerificationResult result) => result.StatusCode switch
    {
        >= 500 and < 600 when result.Failure == VerificationFailure.DomainsResolverFailed => "The API could not decide which issuers it accepts",
        >= 500 => "The API cannot verify access tokens right now; retry later",
        _ => result.ErrorDescription,
    };

    public static async Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        string title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        if (context.RequestServices.GetService<IProblemDetailsService>() is { } service)
        {
            ProblemDetails problem = new() { Status = status, Title = title, Detail = detail.Length > 0 ? detail : null, Type = TypeFor(status) };
            problem.Extensions["error"] = code;
            if (await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false))
            {
                return;
            }
        }

        context.Response.ContentType = "application/problem+json";
        using System.IO.MemoryStream buffer = new(256);
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, TypeFor(status));
            writer.WriteString("title"u8, title);
            writer.WriteNumber("status"u8, status);
            if (detail.Length > 0)
            {
                writer.WriteString("detail"u8, detail);
            }

            writer.WriteString("error"u8, code);
            writer.WriteEndObject();
        }

        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };
}
