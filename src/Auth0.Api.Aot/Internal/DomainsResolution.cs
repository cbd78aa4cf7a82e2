// Multiple Custom Domains with a resolver (reference section 6.2): the resolver is asked, on every verification and
// before any network call, which domains the token may come from; its answer is validated in the Python SDK's order
// with its messages, normalised, and the token's normalised issuer must be one of them.
//   exception -> "Domains resolver function failed: {message}"     null -> "Domains resolver must return a list"
//   []        -> "Domains resolver returned an empty list"
//   a null or blank entry (all checked first) -> "Domains resolver must return a list of non-empty strings"
//   an invalid entry -> "Domains resolver returned invalid domain: {reason}"
//   issuer not listed -> IssuerNotAllowed, "Token issuer is not in the list of allowed domains"
// A cancelled verification stays an OperationCanceledException; a resolver that ignores the cancellation token does not
// hold the verification past it.

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

internal static class DomainsResolution
{

    /// <summary>Asks the resolver and checks the issuer against its answer.</summary>
    /// <returns>
    /// When the issuer is allowed, the resolver's entry it matched (the string of the resolver's normalised answer, not
    /// the token's) and no error; otherwise the failure.
    /// </returns>
    /// <remarks>
    /// One async method with a class result, not two returning value tuples over <see cref="AuthError"/>: each such
    /// tuple is generic code of its own (the tuple's members, its ValueTask, builder and awaiter) in a NativeAOT binary.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<Resolution> CheckAsync(DomainsResolver resolver, string normalizedIssuer, string? requestUrl, IReadOnlyDictionary<string, string>? requestHeaders, CancellationToken cancellationToken)
    {
        DomainsResolverContext context = new(normalizedIssuer, requestUrl, requestHeaders);
        IReadOnlyList<string>? domains;
        try
        {
            ValueTask<IReadOnlyList<string>> pending = resolver(context, cancellationToken);
            domains = pending.IsCompleted ? await pending.ConfigureAwait(false) : await WaitAsync(pending.AsTask(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return new(Error.ResolverThrew(exception));
        }

        string[]? allowed;
        AuthError? error;
        try
        {
            (allowed, error) = Validate(domains);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A list implementation that throws while it is read is the resolver failing.
            return new(Error.ResolverThrew(exception));
        }

        if (error is AuthError refused)
        {
            return new(refused);
        }

        int index = Array.IndexOf(allowed!, normalizedIssuer);
        return index >= 0 ? new(allowed![index]) : new(Error.IssuerNotAllowed);
    }

    // Waits for a resolver that is still running, but no longer than the verification: a resolver that ignores the
    // cancellation token is abandoned (its eventual failure observed, so it is not reported as unobserved). Not
    // Task.WaitAsync, whose timeout support keeps the timer queue in every NativeAOT binary; cancelled, it throws the
    // TaskCanceledException that Task.WaitAsync would.
    private static async Task<IReadOnlyList<string>> WaitAsync(Task<IReadOnlyList<string>> resolving, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            TaskCompletionSource waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), waiter))
            {
                _ = resolving.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).TrySetResult(), waiter, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                await waiter.Task.ConfigureAwait(false);
            }

            if (!resolving.IsCompleted)
            {
                _ = resolving.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new TaskCanceledException("A task was canceled.", null, cancellationToken);
            }
        }

        return await resolving.ConfigureAwait(false);
    }

    private static (string[]? Allowed, AuthError? Error) Validate(IReadOnlyList<string>? domains)
    {
        if (domains is null)
        {
            return (null, Error.ResolverReturnedNull);
        }

        // Read the list once: what is validated is what is used, whatever the list does later.
        string?[] entries = new string?[domains.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = domains[i];
        }

        if (entries.Length == 0)
        {
            return (null, Error.ResolverReturnedEmpty);
        }

        foreach (string? entry in entries)
        {
            if (string.IsNullOrWhiteSpace(entry))
            {
                return (null, Error.ResolverReturnedBlank);
            }
        }

        string[] allowed = new string[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            if (!DomainNormalizer.TryNormalize(entries[i], out string? normalized, out string? error))
            {
                return (null, Error.ResolverReturnedInvalid(error));
            }

            allowed[i] = normalized;
        }

        return (allowed, null);
    }
}

/// <summary>What <see cref="DomainsResolution.CheckAsync"/> found: the allowed issuer, or the failure.</summary>
internal sealed class Resolution
{
    public Resolution(string allowed) => Allowed = allowed;

    public Resolution(AuthError error) => Error = error;

    /// <summary>The resolver's normalised entry the issuer matched; <see langword="null"/> when refused.</summary>
    public string? Allowed { get; }

    /// <summary>Why the issuer was refused; <see langword="null"/> when allowed.</summary>
    public AuthError? Error { get; }
}
