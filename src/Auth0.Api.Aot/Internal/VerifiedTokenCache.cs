// The verified-token cache (DESIGN.md's "same token presented again", issue 15): what a full verification learnt about
// a token that passed it, so that the same token presented again skips the parse and the signature check.
//   - Keyed by the exact token: a hash of the token's last 32 characters (its signature, which no two tokens share by
//     chance) and its length pick the slots; a hit needs the whole token equal, compared in fixed time, so a collision
//     never returns another token's facts.
//   - Only verified tokens are stored (TokenVerifier.Complete, after every check passed): a failure never is, so a
//     stream of forged or expired tokens can neither fill the cache nor evict what is in it.
//   - What is stored holds for the token whatever the call: its lifetime (exp, nbf, iat), where its payload is, its cnf,
//     its (normalised) issuer, and which discovery document and key set it verified with: their ids, not the documents,
//     so that an entry never keeps a replaced document (up to 1 MiB each) alive. Whatever depends on the call or on the time is checked
//     again at every hit by the verifier: the domains resolver, that those documents are still the issuer's current
//     ones, exp and nbf with the clock skew, the required claims, and (in the request stage) the scheme and the DPoP
//     proof and its binding.
//   - Bounded: a fixed array of slots, each entry in one of the 4 slots from its home slot (set associative); a new
//     entry takes an empty slot, else an expired one, else the oldest of the 4. Tokens longer than the length bound are
//     not stored. Memory is at most Capacity x (the token's string + one entry).
//   - Lock-free: entries are immutable, published with a volatile write and read with a volatile read; a hit writes
//     nothing shared. Two threads storing into the same slots at once lose one entry, never corrupt one.

using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace Auth0.Api.Aot.Internal;

/// <summary>What a lookup or a store did, for <see cref="VerifiedTokenCache.Observer"/>.</summary>
internal enum TokenCacheEvent
{
    /// <summary>The token was found and its entry served the call.</summary>
    Hit,

    /// <summary>The token was not found (it is then fully verified).</summary>
    Miss,

    /// <summary>A verified token was stored.</summary>
    Stored,

    /// <summary>A verified token was not stored: it is longer than the length bound, or not held in a string.</summary>
    NotStored,

    /// <summary>A stored entry was replaced by another token's.</summary>
    Evicted,

    /// <summary>
    /// A found entry was dropped because its discovery document or key set is no longer the issuer's current one (the
    /// token is then fully verified).
    /// </summary>
    KeysChanged,

    /// <summary>A found entry was dropped because the token expired.</summary>
    Expired,
}

/// <summary>The facts of one verified token. Immutable.</summary>
internal sealed class VerifiedToken
{
    public VerifiedToken(string source, int start, int length, int hash, in ParsedToken parsed, DiscoveryDocument discovery, JsonWebKeySet keys, long storedAt)
    {
        Source = source;
        Start = start;
        Length = length;
        Hash = hash;
        PayloadOffset = parsed.HeaderSegmentLength + 1;
        PayloadLength = parsed.SigningInputLength - parsed.HeaderSegmentLength - 1;
        Exp = parsed.Exp;
        Iat = parsed.Iat;
        Nbf = parsed.HasNbf ? parsed.Nbf : null;
        Confirmation = parsed.Confirmation;
        ConfirmationOnlyCertificate = parsed.ConfirmationOnlyCertificate;
        Jkt = parsed.Jkt;
        Issuer = discovery.NormalizedIssuer!;
        DiscoveryId = discovery.Id;
        KeysId = keys.Id;
        StoredAt = storedAt;
    }

    /// <summary>The string the token is in (the token itself, or the Authorization header value it is a slice of).</summary>
    public string Source { get; }

    public int Start { get; }

    public int Length { get; }

    public int Hash { get; }

    public ReadOnlySpan<char> Token => Source.AsSpan(Start, Length);

    /// <summary>Where the payload segment starts, from the token's start.</summary>
    public int PayloadOffset { get; }

    /// <summary>The payload segment's length, in characters.</summary>
    public int PayloadLength { get; }

    public long Exp { get; }

    public long Iat { get; }

    public long? Nbf { get; }

    public Confirmation Confirmation { get; }

    public bool ConfirmationOnlyCertificate { get; }

    public Bytes32 Jkt { get; }

    /// <summary>The normalised issuer of the discovery document the token's issuer was checked against (the token's own, normalised).</summary>
    public string Issuer { get; }

    /// <summary>The <see cref="DiscoveryDocument.Id"/> of that document.</summary>
    public long DiscoveryId { get; }

    /// <summary>The <see cref="JsonWebKeySet.Id"/> of the key set whose key verified the signature.</summary>
    public long KeysId { get; }

    /// <summary>When the entry was stored (a <see cref="TimeProvider"/> timestamp): the oldest of a set is replaced first.</summary>
    public long StoredAt { get; }
}

/// <summary>A bounded, lock-free cache of verified tokens, keyed by the exact token.</summary>
/// <remarks>Thread safety: safe for concurrent use; lookups write nothing shared.</remarks>
internal sealed class VerifiedTokenCache
{
    /// <summary>How many slots an entry may be in, from its home slot.</summary>
    private const int Ways = 4;

    /// <summary>How many trailing characters are hashed: the end of the signature segment.</summary>
    private const int HashedLength = 32;

    /// <summary>How much longer than the token the string holding it may be (the scheme, <c>Bearer </c> or <c>DPoP </c>, and spaces).</summary>
    internal const int MaxSchemeLength = 16;

    private readonly VerifiedToken?[] _slots;
    private readonly int _ways;

    public VerifiedTokenCache(int capacity, int maxTokenLength)
    {
        _slots = new VerifiedToken?[capacity];
        _ways = Math.Min(Ways, capacity);
        MaxTokenLength = maxTokenLength;
    }

    /// <summary>The most entries held.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The longest token stored, in characters.</summary>
    public int MaxTokenLength { get; }

    /// <summary>
    /// Told of every lookup and store (tests count with it; the metrics are told apart, by Telemetry). Called on the
    /// request path: it must be cheap and must not throw. <see langword="null"/> costs one check.
    /// </summary>
    internal Action<TokenCacheEvent>? Observer { get; set; }

    // Tells the observer (tests) and the metrics (Telemetry.RecordTokenCache: one Instrument.Enabled read when nobody listens).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Report(TokenCacheEvent tokenCacheEvent)
    {
        Observer?.Invoke(tokenCacheEvent);
        Telemetry.RecordTokenCache(tokenCacheEvent);
    }

    /// <summary>How many slots hold an entry (a scan: for tests).</summary>
    internal int Count
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _slots.Length; i++)
            {
                count += Volatile.Read(ref _slots[i]) is null ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>Finds the entry of exactly <paramref name="token"/>.</summary>
    public bool TryGet(ReadOnlySpan<char> token, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VerifiedToken? entry)
    {
        if (token.Length <= MaxTokenLength)
        {
            int hash = HashOf(token);
            int slot = Home(hash);
            for (int i = 0; i < _ways; i++)
            {
                VerifiedToken? candidate = Volatile.Read(ref _slots[slot]);
                if (candidate is not null && candidate.Hash == hash && candidate.Length == token.Length && FixedTimeEquals(candidate.Token, token))
                {
                    Report(TokenCacheEvent.Hit);
                    entry = candidate;
                    return true;
                }

                slot = Next(slot);
            }
        }

        Report(TokenCacheEvent.Miss);
        entry = null;
        return false;
    }

    /// <summary>
    /// Stores a token that passed every check; <paramref name="token"/> must be a slice of a string. Not stored: a token
    /// longer than <see cref="MaxTokenLength"/>, or held in a string more than <see cref="MaxSchemeLength"/> characters longer.
    /// </summary>
    /// <param name="token">The verified token.</param>
    /// <param name="parsed">What its parse learnt.</param>
    /// <param name="discovery">The discovery document it was checked against.</param>
    /// <param name="keys">The key set that verified it.</param>
    /// <param name="now">The current timestamp.</param>
    /// <param name="expiredBefore">Entries whose <c>exp</c> is at or before this (Unix seconds) are expired: replaced first.</param>
    public void Add(ReadOnlyMemory<char> token, in ParsedToken parsed, DiscoveryDocument discovery, JsonWebKeySet keys, long now, long expiredBefore)
    {
        if (token.Length > MaxTokenLength
            || !MemoryMarshal.TryGetString(token, out string? source, out int start, out int length)
            || source.Length - length > MaxSchemeLength)
        {
            Report(TokenCacheEvent.NotStored);
            return;
        }

        ReadOnlySpan<char> span = token.Span;
        int hash = HashOf(span);
        int home = Home(hash);

        // The slot to take: this token's own (another thread stored it meanwhile), else an empty one, else an expired
        // one, else the oldest.
        int victim = -1;
        int rank = int.MaxValue;
        long oldest = long.MaxValue;
        int slot = home;
        for (int i = 0; i < _ways; i++)
        {
            VerifiedToken? current = Volatile.Read(ref _slots[slot]);
            int currentRank;
            if (current is null)
            {
                currentRank = 1;
            }
            else if (current.Hash == hash && current.Length == length && FixedTimeEquals(current.Token, span))
            {
                currentRank = 0;
            }
            else
            {
                currentRank = current.Exp <= expiredBefore ? 2 : 3;
            }

            if (currentRank < rank || (currentRank == 3 && rank == 3 && current!.StoredAt < oldest))
            {
                victim = slot;
                rank = currentRank;
                oldest = current?.StoredAt ?? long.MaxValue;
            }

            slot = Next(slot);
        }

        Volatile.Write(ref _slots[victim], new VerifiedToken(source, start, length, hash, in parsed, discovery, keys, now));
        Report(TokenCacheEvent.Stored);
        if (rank >= 2)
        {
            Report(TokenCacheEvent.Evicted);
        }
    }

    /// <summary>Drops <paramref name="entry"/>, if it is still stored, and reports why.</summary>
    public void Remove(VerifiedToken entry, TokenCacheEvent reason)
    {
        int slot = Home(entry.Hash);
        for (int i = 0; i < _ways; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[slot], null, entry) == entry)
            {
                break;
            }

            slot = Next(slot);
        }

        Report(reason);
    }

    /// <summary>Drops every entry (for tests).</summary>
    internal void Clear()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            Volatile.Write(ref _slots[i], null);
        }
    }

    // Marvin, seeded per process (string.GetHashCode), over the signature's end, and the length: a token chosen to share
    // another's slots must know that token's signature, and then sharing slots only costs a scan.
    private static int HashOf(ReadOnlySpan<char> token) =>
        string.GetHashCode(token.Length > HashedLength ? token[^HashedLength..] : token) ^ token.Length;

    private int Home(int hash) => (int)(unchecked((uint)hash) % (uint)_slots.Length);

    private int Next(int slot) => slot + 1 == _slots.Length ? 0 : slot + 1;

    /// <summary>
    /// Whether two strings of the same length are equal, in time that depends on their length only (no early exit, as
    /// <see cref="System.Security.Cryptography.CryptographicOperations.FixedTimeEquals"/>), 16 bytes at a time.
    /// </summary>
    internal static bool FixedTimeEquals(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> x = MemoryMarshal.AsBytes(left);
        ReadOnlySpan<byte> y = MemoryMarshal.AsBytes(right);
        Vector128<byte> difference = Vector128<byte>.Zero;
        int i = 0;
        for (; i + Vector128<byte>.Count <= x.Length; i += Vector128<byte>.Count)
        {
            difference |= Vector128.Create(x.Slice(i, Vector128<byte>.Count)) ^ Vector128.Create(y.Slice(i, Vector128<byte>.Count));
        }

        int rest = 0;
        for (; i < x.Length; i++)
        {
            rest |= x[i] ^ y[i];
        }

        return (difference == Vector128<byte>.Zero) & (rest == 0);
    }
}
