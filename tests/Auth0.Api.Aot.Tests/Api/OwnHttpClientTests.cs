using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Auth0.Api.Aot.Tests.Api;

/// <summary>
/// The library's own HTTP client is made by the first request that needs it, not by the constructor: a client whose
/// keys are seeded never builds the HTTP stack (docs/performance.md, "JIT start"). Once made it is the one client for
/// every request, and a client disposed before or while it is made does not leave it open.
/// </summary>
public sealed class OwnHttpClientTests
{
    private static readonly CancellationToken Cancelled = new(canceled: true);

    private static ApiClientOptions Options() => new() { Domain = "auth0.local", Audience = "https://api.example.com" };

    [Fact]
    public void The_constructor_makes_no_client_and_the_first_request_makes_one_for_all()
    {
        using ApiClient client = new(Options());
        Assert.False(client.Keys.HasHttpClient);

        HttpClient first = client.Keys.Http;
        Assert.True(client.Keys.HasHttpClient);
        Assert.Same(first, client.Keys.Http);
    }

    [Fact]
    public async Task Requests_racing_to_make_it_all_get_the_same_client()
    {
        for (int round = 0; round < 20; round++)
        {
            using ApiClient client = new(Options());
            // Four threads released together, twenty times: a publication that is not a compare-and-swap hands them
            // different clients in some round (this catches such a change by chance, never fails a correct one).
            using Barrier start = new(4);
            HttpClient[] seen = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return client.Keys.Http;
            })));
            Assert.All(seen, http => Assert.Same(seen[0], http));
        }
    }

    [Fact]
    public async Task A_client_made_after_dispose_is_disposed_and_fails_the_request()
    {
        ApiClient client = new(Options());
        client.Dispose();

        // No request leaves the process: every send here carries a cancelled token, which a live client answers with
        // TaskCanceledException before it connects, and a disposed one with ObjectDisposedException.
        using HttpRequestMessage request = new(HttpMethod.Get, "https://127.0.0.1:9/");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.Keys.Http.SendAsync(request, Cancelled));
    }

    [Fact]
    public async Task A_client_made_before_dispose_is_disposed_with_it()
    {
        ApiClient client = new(Options());
        HttpClient http = client.Keys.Http;
        client.Dispose();

        using HttpRequestMessage request = new(HttpMethod.Get, "https://127.0.0.1:9/");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => http.SendAsync(request, Cancelled));
    }

    [Fact]
    public async Task An_injected_client_is_used_as_given_and_not_disposed()
    {
        using HttpClient injected = new();
        ApiClientOptions options = Options();
        options.HttpClient = injected;
        ApiClient client = new(options);
        Assert.True(client.Keys.HasHttpClient);
        Assert.Same(injected, client.Keys.Http);
        client.Dispose();

        // Still usable: the cancelled send is refused as cancelled, not as a send on a disposed client.
        using HttpRequestMessage request = new(HttpMethod.Get, "http://127.0.0.1:9/");
        await Assert.ThrowsAsync<TaskCanceledException>(() => injected.SendAsync(request, Cancelled));
    }

    [Fact]
    public async Task Seeded_keys_verify_without_a_client_ever_being_made()
    {
        SigningKey key = SigningKey.CreateRsa("seeded");
        ApiClientOptions options = Options();
        options.StaticJwks = new Dictionary<string, string> { ["auth0.local"] = "{\"keys\":[" + key.PublicJwk().ToJson() + "]}" };
        const long now = 1_800_000_000;
        options.TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(now));
        using ApiClient client = new(options);
        string token = key.SignCompact(LocalIssuer.StandardHeader(key).ToJson(), new ClaimSet()
            .Set("iss", "https://auth0.local/").Set("sub", "user_1").Set("aud", "https://api.example.com")
            .Set("iat", now).Set("exp", now + 600).ToJson());

        Assert.Equal("user_1", (await client.VerifyAccessTokenAsync(token)).Subject);
        Assert.False(client.Keys.HasHttpClient);
    }
}
