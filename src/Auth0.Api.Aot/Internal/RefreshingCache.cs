// A per-key document cache that never makes a good request wait on a routine refresh and never hammers a failing
// origin. Each key (an issuer's discovery document, a JWKS) has its own entry, so trouble at one key never delays or
// evicts another's value. For each entry:
//   - single-flight: concurrent misses share one fetch; a fetch is never cancelled by one caller giving up;
//   - lifetime: min(CacheTtl, max(MinimumLifetime, what the response asked for)), so that an origin that forbids
//     caching (max-age=0, no-store) is fetched once per MinimumLifetime, not once per request;
//   - refresh-ahead: from 80 % of the lifetime on (but not before MinimumLifetime when the lifetime is at least that),
//     a request that uses the value starts a background refresh;
//   - stale-on-error: after the TTL the last good value keeps serving, for at most MaxStaleness past its TTL, while
//     refreshes are attempted in the background; callers see an error only when no good value is left;
//   - back-off: after a failed fetch, no new fetch is started for Backoff; requests with no good value fail fast with
//     the last error and how long the back-off still runs (the 503's Retry-After);
//   - no exception per request: a failed fetch is a CacheRead value, however many callers wait on it;
//   - forced refresh (an unknown kid): at most once per Cooldown; inside it, the caller gets no fetch. A forced fetch
//     is told so, and goes to the origin (a shared cache would only hand back the set that lacked the kid).
// In a build without HTTP (HttpFetchFeature off, a constant for the trimmer) a fetch can only fail: it fails on the
// calling thread, with the same error, back-off and FetchFailed event, and the single-flight machinery (Task.Run,
// Task.WaitAsync, continuations, the lifetime's CancellationTokenSource) is left out of the binary.
// Every time is a TimeProvider timestamp, so tests drive all of it with a fake clock.

using System;
using System.Threading;
using System.Threading.Tasks;

namespace Auth0.Api.Aot.Internal;

/// <summary>A fetched value and its times, immutable: an entry swaps in a new one after each successful fetch.</summary>
internal sealed class CachedValue<T>(T value, long fetchedAt, long refreshAt, long freshUntil, long staleUntil, bool pinned = false)
    where T : class
{
    /// <summary>Given up front (a static JWKS): never refreshed, never expires.</summary>
    public bool Pinned { get; } = pinned;

    public T Value { get; } = value;

    public long FetchedAt { get; } = fetchedAt;

    /// <summary>From this timestamp on, using the value starts a background refresh.</summary>
    public long RefreshAt { get; } = refreshAt;

    public long FreshUntil { get; } = freshUntil;

    /// <summary>The value is not served from this timestamp on.</summary>
    public long StaleUntil { get; } = staleUntil;
}

/// <summary>
/// One value of <see cref="RefreshingCache{T}.Export"/>: its key, how long ago it was fetched and its max-age. A class,
/// not a value tuple: a list of tuples with TimeSpan members is generic code of its own in a NativeAOT binary.
/// </summary>
internal sealed class ExportedValue<T>(string key, T value, TimeSpan age, TimeSpan maxAge)
    where T : class
{
    public string Key { get; } = key;

    public T Value { get; } = value;

    public TimeSpan Age { get; } = age;

    public TimeSpan MaxAge { get; } = maxAge;
}

/// <summary>Timing policy of a <see cref="RefreshingCache{T}"/>.</summary>
/// <param name="cacheTtl">Upper bound of every lifetime.</param>
/// <param name="minimumLifetime">Floor of the lifetime a response asks for (<c>max-age=0</c>, <c>no-store</c>...), below <paramref name="cacheTtl"/>.</param>
/// <param name="maxStaleness">How long past its lifetime a value serves while refreshes fail.</param>
/// <param name="backoff">No fetch for this long after a failed one.</param>
/// <param name="cooldown">At most one forced refresh per key within this interval.</param>
/// <param name="maxEntries">Entries per cache.</param>
/// <param name="timeProvider">The clock.</param>
/// <remarks>
/// This and the other small types here are plain classes, not records: a record's generated ToString (PrintMembers over
/// a StringBuilder, which formats each TimeSpan) and equality members are compiled into every NativeAOT binary that
/// makes one, and nothing compares or prints them.
/// </remarks>
internal sealed class RefreshPolicy(TimeSpan cacheTtl, TimeSpan minimumLifetime, TimeSpan maxStaleness, TimeSpan backoff, TimeSpan cooldown, int maxEntries, TimeProvider timeProvider)
{
    public TimeSpan CacheTtl { get; } = cacheTtl;

    public TimeSpan MinimumLifetime { get; } = minimumLifetime;

    public TimeSpan MaxStaleness { get; } = maxStaleness;

    public TimeSpan Backoff { get; } = backoff;

    public TimeSpan Cooldown { get; } = cooldown;

    public int MaxEntries { get; } = maxEntries;

    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>
    /// A document's lifetime: what the response asked for (<see langword="null"/> when it said nothing) raised to
    /// <see cref="MinimumLifetime"/>, and at most <see cref="CacheTtl"/>.
    /// </summary>
    public TimeSpan EffectiveTtl(TimeSpan? lifetime)
    {
        TimeSpan asked = lifetime ?? CacheTtl;
        TimeSpan floored = asked < MinimumLifetime ? MinimumLifetime : asked;
        return floored < CacheTtl ? floored : CacheTtl;
    }
}

/// <summary>What a read returns: the usable value, or why there is none and when a fetch may be tried again.</summary>
internal readonly struct CacheRead<T>
    where T : class
{
    public CacheRead(CachedValue<T> value) => Value = value;

    public CacheRead(FetchFailure failure, bool withCause, TimeSpan retryAfter)
    {
        Error = failure.Message;
        ErrorIsWhole = failure.IsWholeMessage;
        Cause = withCause ? failure.Cause : null;
        _retryAfterTicks = retryAfter.Ticks;
    }

    /// <summary>The value; <see langword="null"/> when the fetch failed (then <see cref="Error"/> says why).</summary>
    public CachedValue<T>? Value { get; }

    public string? Error { get; }

    /// <summary>Whether <see cref="Error"/> is a whole description (an unusable document) rather than a fetch reason.</summary>
    public bool ErrorIsWhole { get; }

    public Exception? Cause { get; }

    /// <summary>How long the back-off still runs: no fetch of this key starts before then.</summary>
    public TimeSpan RetryAfter => new(_retryAfterTicks);

    // Ticks, not a TimeSpan: a boxed struct's field-wise Equals boxes each field, and a boxed TimeSpan keeps TimeSpan
    // formatting (its ToString) in a NativeAOT binary.
    private readonly long _retryAfterTicks;
}

/// <summary>Why a fetch failed: its message (from <see cref="KeySourceException"/>) and the underlying exception.</summary>
internal sealed class FetchFailure(string message, Exception? cause, bool isWholeMessage)
{
    public string Message { get; } = message;

    public Exception? Cause { get; } = cause;

    public bool IsWholeMessage { get; } = isWholeMessage;
}

internal sealed class RefreshingCache<T> : IDisposable
    where T : class
{
    private readonly BoundedCache<Entry> _entries;

    // Pinned values (StaticJwks, snapshots in a build without HTTP) live apart from the bounded cache: however many other
    // keys are asked for (issuers a resolver allows, an attacker's unverified iss values), they are never evicted,
    // and they are looked up first.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _pinned = new(StringComparer.Ordinal);
    private readonly Func<string, bool, CancellationToken, Task<(T Value, TimeSpan? MaxAge)>>? _fetch;
    private readonly RefreshPolicy _policy;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource? _lifetime = HttpFetchFeature.IsEnabled ? new() : null;
    private readonly string _document;
    private long _version;

    // The entry whose FetchFailed handlers this thread is running (RaiseFetchFailed). A call for that entry from one of
    // them (a KeySourceFailed handler that verifies again) gets the failure being reported and starts no fetch, with or
    // without HTTP: so a handler that waits for it cannot wait for itself, and with no back-off it cannot recurse.
    [ThreadStatic]
    private static Entry? t_raising;

    /// <param name="policy">The timing policy.</param>
    /// <param name="fetch">
    /// Fetches a key's value and the lifetime its response asked for; the flag says the fetch is forced (an unknown kid).
    /// <see langword="null"/> in a build without HTTP, where it is never called: no delegate of its type (whose result
    /// tuple would keep TimeSpan formatting in the binary) is then made.
    /// </param>
    /// <param name="document">The metrics' name of the document (<c>discovery</c>, <c>jwks</c>; <c>unnamed</c> in unit tests).</param>
    public RefreshingCache(RefreshPolicy policy, Func<string, bool, CancellationToken, Task<(T Value, TimeSpan? MaxAge)>>? fetch, string document = "unnamed")
    {
        _document = document;
        _policy = policy;
        _time = policy.TimeProvider;
        _fetch = fetch;
        _entries = new BoundedCache<Entry>(policy.MaxEntries, policy.TimeProvider);
    }

    public int MaxEntries => _entries.MaxEntries;

    public int Count => _entries.Count + _pinned.Count;

    private bool TryGetEntry(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry) =>
        _pinned.TryGetValue(key, out entry) || _entries.TryGet(key, out entry);

    private Entry GetOrAddEntry(string key) =>
        _pinned.TryGetValue(key, out Entry? pinned) ? pinned : _entries.GetOrAdd(key, static _ => new Entry());

    /// <summary>Raised after an entry's value was replaced by a forced refresh (for the verifier's recent-key slots).</summary>
    public event Action? ForcedRefresh;

    /// <summary>
    /// Raised after each failed fetch, once its error is recorded, on the thread that ran it: the key, the failure, whether
    /// a value is still served and whether that value is past its lifetime. An exception from a handler reaches whoever
    /// waits on the fetch (KeySource's handler never throws: it isolates the application's handlers).
    /// </summary>
    public event Action<string, KeySourceException, bool, bool>? FetchFailed;

    /// <summary>
    /// Bumped after every value is replaced (a fetch, routine, forced or after an eviction; a seed; a pin), once the new
    /// value is published. A reader that read the version before reading values knows, while it is unchanged, that
    /// none of them was replaced since: the verifier's recent-key slots hold only while it is.
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>
    /// What the cache holds for <paramref name="key"/>, without fetching: the current value (fresh or stale within
    /// bounds, else <see langword="null"/>), whether it is past its lifetime, the last fetch error if the last fetch
    /// failed, and how long ago the value was fetched (zero for a pinned value or none).
    /// </summary>
    /// <remarks>
    /// Out parameters rather than a tuple: a value tuple made in this shared generic code is compiled in boxed, with its
    /// ToString, which keeps TimeSpan formatting in every NativeAOT binary.
    /// </remarks>
    public CachedValue<T>? Inspect(string key, out bool stale, out string? lastError, out TimeSpan age)
    {
        stale = false;
        lastError = null;
        age = TimeSpan.Zero;
        if (!TryGetEntry(key, out Entry? entry))
        {
            return null;
        }

        long now = _time.GetTimestamp();
        CachedValue<T>? current = Volatile.Read(ref entry.Current);
        lock (entry.Gate)
        {
            lastError = entry.LastError?.Message;
        }

        if (current is null || now >= current.StaleUntil)
        {
            return null;
        }

        stale = now >= current.FreshUntil;
        age = current.Pinned ? TimeSpan.Zero : Span(now - current.FetchedAt);
        return current;
    }

    /// <summary><see cref="Inspect(string, out bool, out string?, out TimeSpan)"/>'s value alone.</summary>
    public CachedValue<T>? Inspect(string key) => Inspect(key, out _, out _, out _);

    /// <summary>Whether the calling thread holds the lock of <paramref name="key"/>'s entry (for tests of what runs under it).</summary>
    internal bool HoldsLock(string key) => TryGetEntry(key, out Entry? entry) && Monitor.IsEntered(entry.Gate);

    /// <summary>Whether a fetch of <paramref name="key"/> is running (for tests that wait for a background refresh to end).</summary>
    internal bool IsRefreshing(string key) => TryGetEntry(key, out Entry? entry) && Volatile.Read(ref entry.InFlight) is { IsCompleted: false };

    /// <summary>The usable value of <paramref name="key"/> (fresh, or stale within bounds), without waiting; a stale one is counted as served.</summary>
    public bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CachedValue<T>? value)
    {
        if (!TryPeek(key, out value, out bool stale))
        {
            return false;
        }

        if (stale)
        {
            CountStaleServe(key);
        }

        return true;
    }

    /// <summary>
    /// <see cref="TryGet"/> for a read whose value may not be used (a verified-token entry whose keys turn out to have
    /// changed, a candidate issuer the token is not from): a stale value is not counted as served here;
    /// <paramref name="stale"/> tells the caller to call <see cref="CountStaleServe"/> if it uses the value, so that one
    /// verification counts each stale document once. A refresh due is started as by <see cref="TryGet"/>.
    /// </summary>
    public bool TryPeek(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CachedValue<T>? value, out bool stale)
    {
        value = null;
        stale = false;
        if (!TryGetEntry(key, out Entry? entry))
        {
            return false;
        }

        long now = _time.GetTimestamp();
        CachedValue<T>? current = Volatile.Read(ref entry.Current);
        if (current is null || now >= current.StaleUntil)
        {
            return false;
        }

        if (now >= current.RefreshAt)
        {
            StartBackground(key, entry, now);
            stale = now >= current.FreshUntil;
        }

        value = current;
        return true;
    }

    /// <summary>Counts one serve of <paramref name="key"/>'s value past its lifetime (after a <see cref="TryPeek"/> that said it was stale).</summary>
    public void CountStaleServe(string key)
    {
        if (Telemetry.StaleServesEnabled && TryGetEntry(key, out Entry? entry))
        {
            Telemetry.RecordStaleServe(_document, entry.Host(key));
        }
    }

    /// <summary>
    /// The usable value, or the result of the (shared) fetch. A failed fetch, or one refused by the back-off, is a
    /// <see cref="CacheRead{T}"/> with the error: nothing is thrown for it (only cancellation by the caller throws).
    /// </summary>
    public ValueTask<CacheRead<T>> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (TryGet(key, out CachedValue<T>? usable))
        {
            return new(new CacheRead<T>(usable));
        }

        Entry entry = GetOrAddEntry(key);
        if (!HttpFetchFeature.IsEnabled)
        {
            return new(FailWithoutFetch(key, entry, forced: false) ?? default);
        }

        Task<Fetched> pending;
        lock (entry.Gate)
        {
            long now = _time.GetTimestamp();
            if (ReportedToHandler(entry) is { } reported)
            {
                return new(reported);
            }

            if (entry.InFlight is { } inFlight)
            {
                pending = inFlight;
            }
            else if (entry.LastError is { } lastError && now < entry.RetryAfter)
            {
                // The message only: the failed fetch's exception went to the callers that waited on it, and is not
                // shared with every request of the back-off.
                return new(new CacheRead<T>(lastError, withCause: false, Span(entry.RetryAfter - now)));
            }
            else
            {
                pending = entry.InFlight = Start(key, entry, forced: false);
            }
        }

        return AwaitAsync(pending, cancellationToken);

        static async ValueTask<CacheRead<T>> AwaitAsync(Task<Fetched> pending, CancellationToken cancellationToken)
        {
            Fetched fetched = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            return fetched.Value is { } value ? new CacheRead<T>(value) : new CacheRead<T>(fetched.Error!, withCause: true, fetched.RetryAfter);
        }
    }

    /// <summary>
    /// Refetches <paramref name="key"/> now (an unknown kid), unless a forced refresh happened within the cooldown or the
    /// value is pinned; joins a fetch already under way.
    /// </summary>
    /// <returns>
    /// The new value; or the error of a fetch that failed, or of the back-off of an earlier failure (the origin is down:
    /// a 503, not a missing key); or neither when no refetch was allowed (cooldown, pinned value).
    /// </returns>
    public ValueTask<CacheRead<T>> ForceRefreshAsync(string key, CancellationToken cancellationToken) =>
        HttpFetchFeature.IsEnabled ? ForceRefreshCoreAsync(key, cancellationToken) : new(ForceRefreshWithoutFetch(key));

    private async ValueTask<CacheRead<T>> ForceRefreshCoreAsync(string key, CancellationToken cancellationToken)
    {
        bool started = false;
        Entry entry = GetOrAddEntry(key);
        Task<Fetched>? pending;
        lock (entry.Gate)
        {
            long now = _time.GetTimestamp();
            if (Volatile.Read(ref entry.Current) is { Pinned: true })
            {
                return default;
            }

            if (ReportedToHandler(entry) is { } reported)
            {
                return reported;
            }

            if (entry.InFlight is { } inFlight)
            {
                pending = inFlight;
            }
            else if (now < entry.RetryAfter && entry.LastError is { } lastError)
            {
                return new CacheRead<T>(lastError, withCause: false, Span(entry.RetryAfter - now));
            }
            else if (now < entry.ForcedAllowedAt)
            {
                pending = null;
            }
            else
            {
                entry.ForcedAllowedAt = now + Ticks(_policy.Cooldown);
                pending = entry.InFlight = Start(key, entry, forced: true);
                started = true;
            }
        }

        // Measured once the entry's lock is released: a listener's callback never runs under it.
        if (pending is null || started)
        {
            Telemetry.RecordUnknownKid(entry.Host(key), skipped: pending is null);
        }

        if (pending is null)
        {
            return default;
        }

        Fetched fetched = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (fetched.Value is null)
        {
            return new CacheRead<T>(fetched.Error!, withCause: true, fetched.RetryAfter);
        }

        ForcedRefresh?.Invoke();
        return new CacheRead<T>(fetched.Value);
    }

    /// <summary>Stores a value obtained elsewhere (a snapshot) as if fetched <paramref name="age"/> ago with the given max-age.</summary>
    public void Seed(string key, T value, TimeSpan? maxAge, TimeSpan age = default)
    {
        Entry entry = GetOrAddEntry(key);
        long fetchedAt = _time.GetTimestamp() - Ticks(age < TimeSpan.Zero ? TimeSpan.Zero : age);
        Volatile.Write(ref entry.Current, Create(value, maxAge, fetchedAt));
        Interlocked.Increment(ref _version);
    }

    /// <summary>Stores a value given up front that never expires and is never refreshed (a static JWKS).</summary>
    public void Pin(string key, T value)
    {
        Entry entry = _pinned.GetOrAdd(key, static _ => new Entry());
        _entries.Remove(key);
        Volatile.Write(ref entry.Current, new CachedValue<T>(value, _time.GetTimestamp(), long.MaxValue, long.MaxValue, long.MaxValue, pinned: true));
        Interlocked.Increment(ref _version);
    }

    /// <summary>The current values (for snapshots and the key-age gauge), with how long ago each was fetched and its max-age.</summary>
    public System.Collections.Generic.List<ExportedValue<T>> Export()
    {
        long now = _time.GetTimestamp();
        System.Collections.Generic.List<ExportedValue<T>> values = [];
        foreach ((string key, Entry entry) in _entries.ToList())
        {
            if (Volatile.Read(ref entry.Current) is { Pinned: false } current && now < current.StaleUntil)
            {
                values.Add(new ExportedValue<T>(key, current.Value, Span(now - current.FetchedAt), Span(current.FreshUntil - current.FetchedAt)));
            }
        }

        return values;
    }

    private TimeSpan Span(long ticks) => TimeSpan.FromSeconds((double)ticks / _time.TimestampFrequency);

    public void Dispose()
    {
        _lifetime?.Cancel();
        _lifetime?.Dispose();
    }

    private void StartBackground(string key, Entry entry, long now)
    {
        if (!HttpFetchFeature.IsEnabled)
        {
            _ = FailWithoutFetch(key, entry, forced: false);
            return;
        }

        Task<Fetched> started;
        lock (entry.Gate)
        {
            if (entry.InFlight is not null || now < entry.RetryAfter || ReferenceEquals(t_raising, entry))
            {
                return;
            }

            started = entry.InFlight = Start(key, entry, forced: false);
        }

        // Nobody awaits a background refresh: observe a fault (only a cancellation at Dispose, or a bug, faults it).
        started.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Runs the fetch on the thread pool, so that it never runs inline under the entry's lock, and without the starting
    // caller's execution context: the fetch is shared, so no caller's AsyncLocal state (a logging scope, an ambient
    // activity) may ride along into it or into what it stores.
    private Task<Fetched> Start(string key, Entry entry, bool forced)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(() => FetchAsync(key, entry, forced));
        }
    }

    // A KeySourceException is caught once, here, and becomes the shared outcome of everyone waiting on this fetch.
    private async Task<Fetched> FetchAsync(string key, Entry entry, bool forced)
    {
        try
        {
            (T value, TimeSpan? maxAge) = await _fetch!(key, forced, _lifetime!.Token).ConfigureAwait(false);
            CachedValue<T> fetched = Create(value, maxAge, _time.GetTimestamp());
            Volatile.Write(ref entry.Current, fetched);
            Interlocked.Increment(ref _version);
            lock (entry.Gate)
            {
                entry.LastError = null;
                entry.RetryAfter = 0;
            }

            return new Fetched(fetched, null, TimeSpan.Zero);
        }
        catch (KeySourceException exception)
        {
            FetchFailure error = new(exception.Message, exception.InnerException, exception.IsWholeMessage);
            long now = _time.GetTimestamp();
            lock (entry.Gate)
            {
                entry.LastError = error;
                entry.RetryAfter = now + Ticks(_policy.Backoff);

                // The fetch is over before its handlers run: a handler that verifies again (and waits for it) finds
                // the failure and its back-off, instead of joining this fetch and waiting for itself.
                entry.InFlight = null;
            }

            RaiseFetchFailed(key, entry, exception, now);
            return new Fetched(null, error, _policy.Backoff);
        }
        finally
        {
            lock (entry.Gate)
            {
                entry.InFlight = null;
            }
        }
    }

    private void RaiseFetchFailed(string key, Entry entry, KeySourceException exception, long now)
    {
        if (FetchFailed is { } failed)
        {
            CachedValue<T>? current = Volatile.Read(ref entry.Current);
            bool usable = current is not null && now < current.StaleUntil;
            Entry? outer = t_raising;
            t_raising = entry;
            try
            {
                failed(key, exception, usable, usable && now >= current!.FreshUntil);
            }
            finally
            {
                t_raising = outer;
            }
        }
    }

    // Under entry.Gate: for a call made by a FetchFailed handler of this entry (see t_raising), the failure it reports.
    private CacheRead<T>? ReportedToHandler(Entry entry) =>
        ReferenceEquals(t_raising, entry) && entry.LastError is { } reported ? new CacheRead<T>(reported, withCause: true, _policy.Backoff) : null;

    // A build without HTTP: what a fetch of key would give, without starting one. Within the back-off of an earlier
    // failure, that failure's message (as a read refused by the back-off gets); otherwise a failed fetch like any other
    // (KeySourceFailed, never an exception out of verification) whose message names the build property, recorded and
    // raised as a fetch's failure is (the error, the back-off, FetchFailed on this thread, outside the entry's lock).
    // The back-off is taken under the lock, so concurrent callers raise one event per back-off, as one shared fetch
    // would; a call from a handler of the event gets the failure it reports (ReportedToHandler). A forced refresh inside its
    // cooldown gets null (no fetch allowed).
    private CacheRead<T>? FailWithoutFetch(string key, Entry entry, bool forced) => FailWithoutFetch(key, entry, forced, out _);

    private CacheRead<T>? FailWithoutFetch(string key, Entry entry, bool forced, out bool started)
    {
        started = false;
        KeySourceException exception;
        FetchFailure error;
        long now;
        lock (entry.Gate)
        {
            now = _time.GetTimestamp();

            if (ReportedToHandler(entry) is { } reported)
            {
                return reported;
            }

            if (entry.LastError is { } lastError && now < entry.RetryAfter)
            {
                return new CacheRead<T>(lastError, withCause: false, Span(entry.RetryAfter - now));
            }

            if (forced)
            {
                if (now < entry.ForcedAllowedAt)
                {
                    return null;
                }

                entry.ForcedAllowedAt = now + Ticks(_policy.Cooldown);
            }

            exception = new KeySourceException(HttpFetchFeature.DisabledReason);
            error = new FetchFailure(exception.Message, exception.InnerException, exception.IsWholeMessage);
            entry.LastError = error;
            entry.RetryAfter = now + Ticks(_policy.Backoff);
            started = true;
        }

        RaiseFetchFailed(key, entry, exception, now);
        return new CacheRead<T>(error, withCause: true, _policy.Backoff);
    }

    // ForceRefreshAsync in a build without HTTP: the same decisions (pinned, back-off, cooldown) and measurements, with
    // the forced fetch failing on this thread.
    private CacheRead<T> ForceRefreshWithoutFetch(string key)
    {
        Entry entry = GetOrAddEntry(key);
        if (Volatile.Read(ref entry.Current) is { Pinned: true })
        {
            return default;
        }

        CacheRead<T>? read = FailWithoutFetch(key, entry, forced: true, out bool started);
        if (read is null || started)
        {
            Telemetry.RecordUnknownKid(entry.Host(key), skipped: read is null);
        }

        return read ?? default;
    }

    private CachedValue<T> Create(T value, TimeSpan? maxAge, long now)
    {
        long ttlTicks = Ticks(_policy.EffectiveTtl(maxAge));
        long freshUntil = Add(now, ttlTicks);

        // Refresh-ahead from 80 % of the lifetime, but never sooner than the floor: routine fetches of a document are at
        // least MinimumLifetime apart, and one whose lifetime is the floor (the origin asked for less) is refetched when
        // it ends, serving stale (within MaxStaleness) while that refresh runs. A CacheTtl below the floor wins.
        long floorTicks = Ticks(_policy.MinimumLifetime);
        long refreshTicks = ttlTicks >= floorTicks ? Math.Max(ttlTicks / 5 * 4, floorTicks) : ttlTicks / 5 * 4;
        return new CachedValue<T>(value, now, Add(now, refreshTicks), freshUntil, Add(freshUntil, Ticks(_policy.MaxStaleness)));
    }

    private long Ticks(TimeSpan span)
    {
        double ticks = span.TotalSeconds * _time.TimestampFrequency;
        return ticks >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)ticks;
    }

    private static long Add(long timestamp, long ticks) => timestamp > long.MaxValue - ticks ? long.MaxValue : timestamp + ticks;

    internal sealed class Entry
    {
        public readonly object Gate = new();
        public CachedValue<T>? Current;
        public Task<Fetched>? InFlight;
        public FetchFailure? LastError;
        public long RetryAfter;
        public long ForcedAllowedAt;
        private Address? _address;

        /// <summary>The host and port of the key (a URL), for the metrics; computed once.</summary>
        public Address Host(string key) => _address ??= Telemetry.AddressOf(key);
    }

    /// <summary>The shared outcome of one fetch: the new value, or the error and the back-off it started.</summary>
    internal sealed class Fetched(CachedValue<T>? value, FetchFailure? error, TimeSpan retryAfter)
    {
        public CachedValue<T>? Value { get; } = value;

        public FetchFailure? Error { get; } = error;

        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
