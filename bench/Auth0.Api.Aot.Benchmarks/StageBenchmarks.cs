using System;
using System.Threading.Tasks;
using Auth0.Api.Aot.Internal;
using BenchmarkDotNet.Attributes;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>
/// Where the time of a verification goes, stage by stage, on the same token as <see cref="FirstSeenTokenBenchmarks"/>:
/// the span parse (base64url, header and payload JSON), and the whole verification. The difference between the whole
/// verification and <see cref="FirstSeenTokenBenchmarks.BareRsaVerifyData"/> is the library's own overhead.
/// </summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    private BenchmarkIssuer _issuer = null!;
    private string _token = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _issuer = BenchmarkIssuer.StartAsync().GetAwaiter().GetResult();
        DateTimeOffset now = DateTimeOffset.UtcNow;
        _token = _issuer.CreateAccessToken(now, now.AddHours(1));
        if (!_issuer.Verify(_token).IsValid)
        {
            throw new InvalidOperationException("setup token did not verify");
        }

        _buffer = new byte[TokenParser.BufferSize(_token.Length)];
        _memos = new RecentSlots<HeaderMemo>(4);
        _memos.Add(new HeaderMemo(_token[.._token.IndexOf('.')], JwsAlgorithm.RS256, System.Text.Encoding.UTF8.GetBytes("k")));
    }

    private RecentSlots<HeaderMemo> _memos = null!;

    [GlobalCleanup]
    public ValueTask Cleanup() => _issuer.DisposeAsync();

    [Benchmark]
    public bool ParseOnly() => TokenParser.TryParse(_token, _buffer, SigningAlgorithms.RS256, "https://api.example.com"u8, out _, out _);

    [Benchmark]
    public bool ParseWithKnownHeader() => TokenParser.TryParse(_token, _buffer, SigningAlgorithms.RS256, "https://api.example.com"u8, _memos, out _, out _);

    [Benchmark]
    public int DecodeSegmentsOnly()
    {
        ReadOnlySpan<char> token = _token;
        int written = 0;
        int start = 0;
        for (int i = 0; i < 3; i++)
        {
            int dot = token[start..].IndexOf('.');
            ReadOnlySpan<char> segment = dot < 0 ? token[start..] : token.Slice(start, dot);
            Base64UrlStrict.TryDecode(segment, _buffer, out int n);
            written += n;
            start += segment.Length + 1;
        }

        return written;
    }

    [Benchmark(Baseline = true)]
    public bool FullVerification() => _issuer.Verify(_token).IsValid;
}
