using System;
using Auth0.Api.Aot.Internal;

namespace Auth0.Api.Aot.Tests.Parsing;

/// <summary>
/// The telemetry's host and port parser (<see cref="HttpAuthority"/>, which replaced <see cref="Uri"/> there) on a
/// table of inputs, against <see cref="Uri"/> itself: the same host (lower-cased) and port for every URL the library
/// fetches (a discovery URL of a normalised issuer, a jwks_uri), and stricter where Uri is lenient.
/// </summary>
public sealed class HttpAuthorityTests
{
    // The URL, and what the parser gives (host, port, default port); for a "same" row Uri must give the same host and port.
    public static TheoryData<string, string, int, bool> SameAsUri => new()
    {
        // Discovery URLs built from normalised issuers (DomainNormalizer: https://{host}/ lower-cased).
        { "https://tenant.auth0.com/.well-known/openid-configuration", "tenant.auth0.com", 443, true },
        { "https://127.0.0.1:8443/.well-known/openid-configuration", "127.0.0.1", 8443, false },
        { "https://[::1]:8443/.well-known/jwks.json", "[::1]", 8443, false },
        { "https://[::1]/.well-known/jwks.json", "[::1]", 443, true },
        { "https://[2001:db8::1]:443/x", "[2001:db8::1]", 443, true },
        { "https://login.example.com", "login.example.com", 443, true },
        { "https://login.example.com:443/", "login.example.com", 443, true },
        { "https://login.example.com:0/", "login.example.com", 0, false },
        { "https://login.example.com:65535/", "login.example.com", 65535, false },

        // A jwks_uri is the issuer's text: case, a query, a fragment, http, underscores, a trailing dot.
        { "HTTPS://Tenant.EU.Auth0.com/.well-known/jwks.json", "tenant.eu.auth0.com", 443, true },
        { "https://keys.example.com?x=1", "keys.example.com", 443, true },
        { "https://keys.example.com#frag", "keys.example.com", 443, true },
        { "https://keys.example.com:8443?x=1", "keys.example.com", 8443, false },
        { "http://keys.example.com/jwks", "keys.example.com", 80, true },
        { "http://keys.example.com:443/jwks", "keys.example.com", 443, false },
        { "https://my_keys.example.com/jwks", "my_keys.example.com", 443, true },
        { "https://keys.example.com./jwks", "keys.example.com.", 443, true },
        { "https://[::FFFF:1.2.3.4]/jwks", "[::ffff:1.2.3.4]", 443, true },

        // RFC 3986's IPv6address in its canonical forms (Uri compresses others: see below).
        { "https://[::]/", "[::]", 443, true },
        { "https://[1::]/", "[1::]", 443, true },
        { "https://[1:2:3:4:5:6:7:8]/", "[1:2:3:4:5:6:7:8]", 443, true },
        { "https://[1::8]:8443/", "[1::8]", 8443, false },
        { "https://[::ffff:255.255.255.255]/", "[::ffff:255.255.255.255]", 443, true },
    };

    // Refused by the parser ("invalid", 0), whatever Uri makes of them.
    public static TheoryData<string> Refused =>
    [
        "",
        "tenant.auth0.com",
        "//tenant.auth0.com/",
        "ftp://tenant.auth0.com/",
        "https://",
        "https:///path",
        "https://:443/",
        "https://user:secret@tenant.auth0.com/",     // userinfo: Uri skips it; the fetch refuses such a URL too
        "https://tenant.auth0.com@evil.example/",
        "https://tenant.auth0.com\\evil.example/",   // Uri reads a backslash as a slash
        "https://tenant.auth0.com:/",                // Uri takes an empty port as the default
        "https://tenant.auth0.com:65536/",
        "https://tenant.auth0.com:123456/",
        "https://tenant.auth0.com:44a/",
        "https://tenant.auth0.com:-1/",
        "https://ten ant.auth0.com/",
        "https://t%65nant.auth0.com/",               // Uri decodes it
        "https://tënant.example/",                   // Uri maps it through IDN
        "https://[::1/",
        "https://[::1]x/",
        "https://[::1]:/",
        "https://[tenant]/",
        "https://[]/",

        // Not RFC 3986 IPv6 addresses.
        "https://[:]/",
        "https://[:::]/",
        "https://[::1::]/",
        "https://[1::2::3]/",
        "https://[:1::]/",
        "https://[1:]/",
        "https://[::1:]/",
        "https://[1:2:3:4:5:6:7]/",
        "https://[1:2:3:4:5:6:7:8:9]/",
        "https://[1:2:3:4::5:6:7:8]/",
        "https://[12345::]/",
        "https://[1.2.3.4]/",
        "https://[::1.2.3]/",
        "https://[::1.2.3.4.5]/",
        "https://[::256.1.1.1]/",
        "https://[::01.2.3.4]/",
        "https://[::1.2.3.4:5]/",
        "https://[1:2:3:4:5:6:7:1.2.3.4]/",
        "https://[::g]/",
    ];

    [Theory, MemberData(nameof(SameAsUri))]
    public void Reads_the_host_and_port_Uri_reads(string url, string host, int port, bool defaultPort)
    {
        Assert.True(HttpAuthority.TryParse(url, out string parsedHost, out int parsedPort, out bool parsedDefault));
        Assert.Equal((host, port, defaultPort), (parsedHost, parsedPort, parsedDefault));

        Assert.True(Uri.TryCreate(url, UriKind.Absolute, out Uri? uri));
        Assert.Equal((uri.Host, uri.Port, uri.IsDefaultPort), (parsedHost, parsedPort, parsedDefault));
        Assert.Equal(Telemetry.AddressOf(url), new Address(host, port, defaultPort));
    }

    [Theory, MemberData(nameof(Refused))]
    public void Refuses_what_the_library_never_fetches(string url)
    {
        Assert.False(HttpAuthority.TryParse(url, out string host, out int port, out bool defaultPort));
        Assert.Equal((string.Empty, 0, false), (host, port, defaultPort));
        Assert.Same(Address.Invalid, Telemetry.AddressOf(url));
        Assert.Equal(("invalid", 0), (Telemetry.AddressOf(url).Host, Telemetry.AddressOf(url).Port));
    }

    // Random URLs of the characters that matter (a fixed seed: the same inputs every run): the parser never throws,
    // what it accepts is a lower-case host and a port in range, and where Uri reads a DNS name it reads the same host
    // and port.
    [Fact]
    public void Never_throws_and_agrees_with_Uri_on_random_urls()
    {
        string[] pieces = ["https://", "http://", "HTTPS://", "[", "]", ":", "::", "/", "?", "#", "@", "%", "\\", " ", "\t", "a", "B", "1", "f", ".", "-", "_", "\u00FC", "0", "443", "65535", "65536", "99999"];
        Random random = new(20261202);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            System.Text.StringBuilder url = new(random.Next(3) == 0 ? string.Empty : random.Next(2) == 0 ? "https://" : "http://");
            int count = random.Next(1, 9);
            for (int j = 0; j < count; j++)
            {
                url.Append(pieces[random.Next(pieces.Length)]);
            }

            string text = url.ToString();
            if (!HttpAuthority.TryParse(text, out string host, out int port, out bool defaultPort))
            {
                Assert.Equal((string.Empty, 0, false), (host, port, defaultPort));
                continue;
            }

            accepted++;
            Assert.NotEmpty(host);
            Assert.Equal(host.ToLowerInvariant(), host);
            Assert.InRange(port, 0, 65535);
            Assert.Equal(port == (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 443 : 80), defaultPort);
            if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.HostNameType == UriHostNameType.Dns)
            {
                Assert.True((uri.Host, uri.Port) == (host, port), text + ": Uri reads " + uri.Host + " " + uri.Port + ", the parser " + host + " " + port);
            }
        }

        Assert.InRange(accepted, 100, 20_000);
    }

    // Random bracketed literals of the pieces IPv6 addresses are made of (a fixed seed): every literal the parser
    // accepts, Uri reads as an IPv6 address too (the parser is at least as strict), and both agree on the canonical
    // addresses the parser accepts when Uri writes them back unchanged.
    [Fact]
    public void Accepts_only_IPv6_literals_that_Uri_reads_as_IPv6()
    {
        string[] pieces = [":", "::", "0", "1", "ff", "FFFF", "12345", "db8", ".", "1.2.3.4", "255", "256", "01", "g"];
        Random random = new(20261203);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            System.Text.StringBuilder literal = new("https://[");
            int count = random.Next(1, 12);
            for (int j = 0; j < count; j++)
            {
                literal.Append(pieces[random.Next(pieces.Length)]);
            }

            string url = literal.Append("]/").ToString();
            if (!HttpAuthority.TryParse(url, out string host, out _, out _))
            {
                continue;
            }

            accepted++;
            Assert.True(Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.HostNameType == UriHostNameType.IPv6, url + " is accepted but Uri does not read an IPv6 address");
            Assert.True(System.Net.IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out _), url);
        }

        Assert.InRange(accepted, 50, 20_000);
    }

    [Fact]
    public void A_null_url_is_refused() => Assert.False(HttpAuthority.TryParse(null, out _, out _, out _));

    [Fact]
    public void An_IPv6_literal_is_kept_as_written_where_Uri_compresses_it()
    {
        // Never produced by DomainNormalizer's issuers or Auth0's jwks_uri; stated so that the difference is known.
        Assert.True(HttpAuthority.TryParse("https://[0:0:0:0:0:0:0:1]/", out string host, out _, out _));
        Assert.Equal("[0:0:0:0:0:0:0:1]", host);
        Assert.Equal("[::1]", new Uri("https://[0:0:0:0:0:0:0:1]/").Host);
    }

    [Fact]
    public void A_key_source_failure_shows_the_port_only_when_it_is_not_the_schemes_default()
    {
        Address standard = Telemetry.AddressOf("https://tenant.auth0.com/.well-known/jwks.json");
        Address other = Telemetry.AddressOf("https://[::1]:8443/.well-known/jwks.json");
        Assert.Equal("Jwks fetch from tenant.auth0.com failed: Timeout", new KeySourceFailure(standard.Host, standard.Port, standard.DefaultPort, KeySourceDocument.Jwks, KeySourceFailureKind.Timeout, false, false).ToString());
        Assert.Equal(443, new KeySourceFailure(standard.Host, standard.Port, standard.DefaultPort, KeySourceDocument.Jwks, KeySourceFailureKind.Timeout, false, false).Port);
        Assert.Equal("Discovery fetch from [::1]:8443 failed: HttpError", new KeySourceFailure(other.Host, other.Port, other.DefaultPort, KeySourceDocument.Discovery, KeySourceFailureKind.HttpError, false, false).ToString());
        Assert.Equal("Discovery fetch from invalid failed: Network", new KeySourceFailure(Address.Invalid.Host, Address.Invalid.Port, Address.Invalid.DefaultPort, KeySourceDocument.Discovery, KeySourceFailureKind.Network, false, false).ToString());
    }
}
