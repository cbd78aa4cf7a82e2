// Extra form parameters for Custom Token Exchange (RFC 8693), auth0-api-python's `extra` (reference section 8.2):
//   values are form strings: long and decimal invariant; double round-trip ("R": "100", "1E+300" where Python
//     writes "100.0", "1e+300"); bool "true"/"false" (Python sends "True"/"False"; lower case matches JSON and
//     auth0-api-js); null is refused (Python sent "None")
//   a name given more than once collects its values in order (Python's list/tuple), sent as repeated form keys
//   Validate, before the POST, per name in insertion order:
//     reserved (case-insensitive) -> "Parameter '{name}' is reserved and cannot be overridden"
//     more than 20 values         -> "Parameter '{name}' exceeds maximum array size of 20"

using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;

namespace Auth0.Api.Aot;

/// <summary>
/// Extra form parameters sent with a Custom Token Exchange request, built with a collection initializer:
/// <c>new TokenExchangeParameters { { "device_id", "dev123" }, { "roles", new[] { "admin", "user" } }, { "n", 3 } }</c>.
/// </summary>
/// <remarks>
/// <para>Each value becomes a form string. Adding a name that is already present appends to its values (names are
/// compared ordinally, case-sensitively); a name with several values is sent as a repeated form key. Names enumerate
/// in the order they were first added, each with its values in order.</para>
/// <para>Names that the exchange itself sets (<c>grant_type</c>, <c>subject_token</c>, <c>audience</c>, <c>scope</c>,
/// client credentials...) are refused when the request is made, whatever their case, as is a name with more than 20
/// values.</para>
/// <para>Thread safety: not safe for concurrent mutation; do not change an instance while a request that uses it is
/// running. <see cref="ToString"/> never prints values, which may hold secrets.</para>
/// </remarks>
public sealed class TokenExchangeParameters : IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>
{
    /// <summary>The most values one name may have (auth0-api-python's <c>MAX_ARRAY_VALUES_PER_KEY</c>).</summary>
    internal const int MaxValuesPerName = 20;

    // The 21 names of auth0-api-python's RESERVED_PARAMS.
    private static readonly HashSet<string> s_reservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
        "subject_token", "subject_token_type", "requested_token_type", "actor_token", "actor_token_type",
        "subject_issuer", "audience", "aud", "resource", "resources", "resource_indicator", "scope",
        "connection", "login_hint", "organization", "assertion",
    };

    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);

    /// <summary>The number of distinct names.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds a string value to <paramref name="name"/>.</summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value, sent as is.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public void Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        GetOrAdd(name).Values.Add(value);
    }

    /// <summary>Adds a Boolean value to <paramref name="name"/>, as <c>true</c> or <c>false</c>.</summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public void Add(string name, bool value) => Add(name, value ? "true" : "false");

    /// <summary>Adds an integer value to <paramref name="name"/>, in invariant culture (<c>42</c>, <c>-7</c>).</summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public void Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Adds a floating-point value to <paramref name="name"/>, as its shortest round-trip form in invariant culture
    /// (<c>3.14</c>, <c>100</c>, <c>1E+300</c>).
    /// </summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value; must be finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public void Add(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value must be a finite number.");
        }

        Add(name, value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Adds a single-precision value to <paramref name="name"/>, in its own shortest round-trip form (<c>3.14</c>, not the
    /// <c>3.140000104904175</c> a widening to <see cref="double"/> would give).
    /// </summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value; must be finite.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public void Add(string name, float value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "The value must be a finite number.");
        }

        Add(name, value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>Adds a decimal value to <paramref name="name"/>, in invariant culture, keeping its scale (<c>3.50</c>).</summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public void Add(string name, decimal value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Adds each of <paramref name="values"/> to <paramref name="name"/>, in order. An empty sequence adds the name with no
    /// values (nothing is sent for it, but it is still checked against the reserved names).
    /// </summary>
    /// <param name="name">The form parameter name.</param>
    /// <param name="values">The values, sent as a repeated form key; read once, when added.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="values"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <paramref name="values"/> has a
    /// <see langword="null"/> item (then nothing is added).</exception>
    public void Add(string name, IEnumerable<string> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);

        // Copy first, so that a null item adds nothing and a lazy sequence is enumerated once.
        List<string> copy = [];
        foreach (string item in values)
        {
            if (item is null)
            {
                throw new ArgumentException("The values must not contain null.", nameof(values));
            }

            copy.Add(item);
        }

        GetOrAdd(name).Values.AddRange(copy);
    }

    /// <summary>Enumerates the names in the order they were first added, each with its values in order.</summary>
    /// <returns>The enumerator; it fails if a name is added while enumerating.</returns>
    public IEnumerator<KeyValuePair<string, IReadOnlyList<string>>> GetEnumerator()
    {
        foreach (Entry entry in _entries)
        {
            yield return new KeyValuePair<string, IReadOnlyList<string>>(entry.Name, entry.View);
        }
    }

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Returns the type name only: values are never printed, as they may hold secrets.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => nameof(TokenExchangeParameters);

    /// <summary>
    /// Checks every name in insertion order: reserved names first (the message keeps the caller's spelling), then the
    /// value count.
    /// </summary>
    /// <returns>The first error's message (for <see cref="GetTokenByExchangeProfileException"/>), or <see langword="null"/>.</returns>
    internal string? Validate()
    {
        foreach (Entry entry in _entries)
        {
            if (IsReserved(entry.Name))
            {
                return "Parameter '" + Internal.Error.CallerText(entry.Name) + "' is reserved and cannot be overridden";
            }

            if (entry.Values.Count > MaxValuesPerName)
            {
                return "Parameter '" + Internal.Error.CallerText(entry.Name) + "' exceeds maximum array size of 20";
            }
        }

        return null;
    }

    /// <summary>The form fields, one (name, value) pair per value, names in insertion order.</summary>
    /// <returns>The pairs, for <c>FormUrlEncodedContent</c>.</returns>
    internal IEnumerable<KeyValuePair<string, string>> ToFormFields()
    {
        foreach (Entry entry in _entries)
        {
            foreach (string value in entry.Values)
            {
                yield return new KeyValuePair<string, string>(entry.Name, value);
            }
        }
    }

    // Python compares name.lower() with the lower-cased list; OrdinalIgnoreCase compares upper-cased. Checking both
    // refuses every spelling either would (the Kelvin sign U+212A lowers to 'k' but does not upper-case to 'K'). Beyond
    // Python, a reserved name is also refused with whitespace, control or format characters (a zero-width space) in it,
    // or as the top-level name a bracket-parsing server would read ("audience[]", "audience[0]", "[scope]"), in case a
    // server trims names or reads bracketed ones as arrays and objects.
    internal static bool IsReserved(string name)
    {
        if (IsListed(name))
        {
            return true;
        }

        System.Text.StringBuilder bare = new(name.Length);
        foreach (System.Text.Rune rune in name.EnumerateRunes())
        {
            UnicodeCategory category = System.Text.Rune.GetUnicodeCategory(rune);
            if (!System.Text.Rune.IsWhiteSpace(rune) && category is not (UnicodeCategory.Control or UnicodeCategory.Format))
            {
                bare.Append(rune.ToString());
            }
        }

        // The top-level name: what comes before the first '[', or, for a name that starts with one, its first bracket's
        // contents ("[scope]" is read as scope).
        string stripped = bare.ToString();
        int open = stripped.IndexOf('[', StringComparison.Ordinal);
        if (open == 0)
        {
            int close = stripped.IndexOf(']', StringComparison.Ordinal);
            stripped = close > 0 ? stripped[1..close] : stripped;
        }
        else if (open > 0)
        {
            stripped = stripped[..open];
        }

        return !string.Equals(stripped, name, StringComparison.Ordinal) && IsListed(stripped);
    }

    private static bool IsListed(string name) => s_reservedNames.Contains(name) || s_reservedNames.Contains(name.ToLowerInvariant());

    private Entry GetOrAdd(string name)
    {
        if (!_byName.TryGetValue(name, out Entry? entry))
        {
            entry = new Entry(name);
            _byName.Add(name, entry);
            _entries.Add(entry);
        }

        return entry;
    }

    private sealed class Entry
    {
        public Entry(string name)
        {
            Name = name;
            View = Values.AsReadOnly();
        }

        public string Name { get; }

        public List<string> Values { get; } = [];

        public ReadOnlyCollection<string> View { get; }
    }
}
