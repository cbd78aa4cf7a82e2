using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace Auth0.Api.Aot.Tests.TokenExchange;

/// <summary>
/// Extra parameters for Custom Token Exchange (reference sections 8.2 and 11.7): value conversions, appending and order,
/// the reserved-name deny-list (case-insensitive, original spelling in the message), the 20-value cap and misuse.
/// </summary>
public sealed class TokenExchangeParametersTests
{
    private static readonly string[] s_reservedNames =
    [
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
        "subject_token", "subject_token_type", "requested_token_type", "actor_token", "actor_token_type",
        "subject_issuer", "audience", "aud", "resource", "resources", "resource_indicator", "scope",
        "connection", "login_hint", "organization", "assertion",
    ];

    private static List<KeyValuePair<string, string>> Fields(TokenExchangeParameters parameters) => parameters.ToFormFields().ToList();

    private static IReadOnlyList<string> Values(TokenExchangeParameters parameters, string name) =>
        parameters.Single(p => p.Key == name).Value;

    // test_extra_value_types_stringification[str, int, float, bool-true, bool-false] (None is refused here)
    [Fact]
    public void Scalars_become_form_strings()
    {
        TokenExchangeParameters parameters = new()
        {
            { "string", "string" },
            { "int", 42 },
            { "float", 3.14 },
            { "bool_true", true },
            { "bool_false", false },
        };

        Assert.Equal(
            [
                new KeyValuePair<string, string>("string", "string"),
                new KeyValuePair<string, string>("int", "42"),
                new KeyValuePair<string, string>("float", "3.14"),
                new KeyValuePair<string, string>("bool_true", "true"),
                new KeyValuePair<string, string>("bool_false", "false"),
            ],
            Fields(parameters));
        Assert.Null(parameters.Validate());
    }

    [Fact]
    public void Numbers_are_formatted_in_invariant_culture_whatever_the_current_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            TokenExchangeParameters parameters = new()
            {
                { "double", 3.5 },
                { "small", 0.1 },
                { "negative", -2.25 },
                { "large", 1e16 },
                { "huge", 1e300 },
                { "integral", 100.0 },
                { "long", -1234567890123L },
                { "max", long.MaxValue },
                { "decimal", 3.50m },
                { "decimal_big", 1234567.891m },
                { "float", 0.1f },
            };

            Assert.Equal(["3.5"], Values(parameters, "double"));
            Assert.Equal(["0.1"], Values(parameters, "small"));
            Assert.Equal(["-2.25"], Values(parameters, "negative"));
            // .NET's round-trip form, not Python's repr ("1e+16", "1e+300", "100.0"): a documented difference.
            Assert.Equal(["10000000000000000"], Values(parameters, "large"));
            Assert.Equal(["1E+300"], Values(parameters, "huge"));
            Assert.Equal(["100"], Values(parameters, "integral"));
            Assert.Equal(["-1234567890123"], Values(parameters, "long"));
            Assert.Equal(["9223372036854775807"], Values(parameters, "max"));
            Assert.Equal(["3.50"], Values(parameters, "decimal"));
            Assert.Equal(["1234567.891"], Values(parameters, "decimal_big"));
            Assert.Equal(["0.1"], Values(parameters, "float"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void A_double_round_trips()
    {
        double value = 0.1 + 0.2;
        TokenExchangeParameters parameters = new() { { "x", value } };
        Assert.Equal(value, double.Parse(Values(parameters, "x")[0], CultureInfo.InvariantCulture));
        Assert.Equal("0.30000000000000004", Values(parameters, "x")[0]);
    }

    // test_request_wiring[with_extra_params] and test_extra_tuple_support
    [Fact]
    public void Sequences_become_repeated_form_keys()
    {
        TokenExchangeParameters parameters = new()
        {
            { "device_id", "dev123" },
            { "roles", new[] { "admin", "user" } },
            { "tuple", new List<string> { "admin", "user", "viewer" } },
        };

        Assert.Equal(
            [
                new KeyValuePair<string, string>("device_id", "dev123"),
                new KeyValuePair<string, string>("roles", "admin"),
                new KeyValuePair<string, string>("roles", "user"),
                new KeyValuePair<string, string>("tuple", "admin"),
                new KeyValuePair<string, string>("tuple", "user"),
                new KeyValuePair<string, string>("tuple", "viewer"),
            ],
            Fields(parameters));
        Assert.Equal(3, parameters.Count);
    }

    // test_extra_numeric_string_array
    [Fact]
    public void Numeric_strings_are_kept_as_strings()
    {
        TokenExchangeParameters parameters = new() { { "ids", new[] { "1", "2", "3" } } };
        Assert.Equal(["1", "2", "3"], Values(parameters, "ids"));
    }

    // test_extra_mixed_type_array: [1, "2", 3.5] -> ["1", "2", "3.5"]
    [Fact]
    public void Adding_to_a_name_again_appends_in_order()
    {
        TokenExchangeParameters parameters = new() { { "ids", 1 }, { "ids", "2" }, { "ids", 3.5 } };
        Assert.Equal(["1", "2", "3.5"], Values(parameters, "ids"));
        Assert.Equal(1, parameters.Count);
    }

    [Fact]
    public void Names_enumerate_in_first_insertion_order_and_group_case_sensitively()
    {
        TokenExchangeParameters parameters = new()
        {
            { "b", "1" },
            { "a", new[] { "2", "3" } },
            { "b", true },
            { "B", "4" },
            { "a", "5" },
        };

        Assert.Equal(["b", "a", "B"], parameters.Select(p => p.Key));
        Assert.Equal(["1", "true"], Values(parameters, "b"));
        Assert.Equal(["2", "3", "5"], Values(parameters, "a"));
        Assert.Equal(["4"], Values(parameters, "B"));
        Assert.Equal(3, parameters.Count);
        Assert.Equal(
            ["b=1", "b=true", "a=2", "a=3", "a=5", "B=4"],
            parameters.ToFormFields().Select(f => f.Key + "=" + f.Value));
    }

    [Fact]
    public void An_empty_sequence_keeps_the_name_with_no_values()
    {
        TokenExchangeParameters parameters = new() { { "empty", Array.Empty<string>() }, { "x", "1" } };
        Assert.Equal(2, parameters.Count);
        Assert.Empty(Values(parameters, "empty"));
        Assert.Equal([new KeyValuePair<string, string>("x", "1")], Fields(parameters));
        Assert.Null(parameters.Validate());

        parameters.Add("empty", "now");
        Assert.Equal(["now"], Values(parameters, "empty"));
    }

    [Fact]
    public void An_empty_collection_has_no_fields()
    {
        TokenExchangeParameters parameters = new();
        Assert.Equal(0, parameters.Count);
        Assert.Empty(parameters);
        Assert.Empty(parameters.ToFormFields());
        Assert.Null(parameters.Validate());
    }

    [Fact]
    public void Empty_and_whitespace_strings_are_values()
    {
        TokenExchangeParameters parameters = new() { { "empty", "" }, { "space", " a b " }, { "list", new[] { "", "x" } } };
        Assert.Equal([""], Values(parameters, "empty"));
        Assert.Equal([" a b "], Values(parameters, "space"));
        Assert.Equal(["", "x"], Values(parameters, "list"));
    }

    [Fact]
    public void Enumerated_values_are_read_only_and_a_sequence_is_copied_when_added()
    {
        string[] roles = ["admin", "user"];
        TokenExchangeParameters parameters = new() { { "roles", roles } };
        roles[0] = "changed";

        IReadOnlyList<string> values = Values(parameters, "roles");
        Assert.Equal(["admin", "user"], values);
        Assert.True(Assert.IsAssignableFrom<IList<string>>(values).IsReadOnly);
    }

    [Fact]
    public void A_lazy_sequence_is_enumerated_once()
    {
        int enumerations = 0;
        IEnumerable<string> Lazy()
        {
            Interlocked.Increment(ref enumerations);
            yield return "a";
            yield return "b";
        }

        TokenExchangeParameters parameters = new() { { "lazy", Lazy() } };
        Assert.Equal(["a", "b"], Values(parameters, "lazy"));
        Assert.Equal(1, enumerations);
    }

    // test_get_token_by_exchange_profile_extra_params_denylist (8 cases), extended to all 21 names
    [Fact]
    public void Every_reserved_name_is_refused()
    {
        Assert.Equal(21, s_reservedNames.Length);
        foreach (string name in s_reservedNames)
        {
            TokenExchangeParameters parameters = new() { { name, "should_fail" } };
            Assert.Equal("Parameter '" + name + "' is reserved and cannot be overridden", parameters.Validate());
        }
    }

    // test_extra_reserved_case_insensitive_parametric and test_extra_reserved_case_insensitive
    [Theory]
    [InlineData("Scope")]
    [InlineData("RESOURCE")]
    [InlineData("Audience")]
    [InlineData("GRANT_TYPE")]
    [InlineData("Subject_Token")]
    [InlineData("Client_ID")]
    public void Reserved_names_are_refused_whatever_their_case_and_the_message_keeps_the_spelling(string name)
    {
        TokenExchangeParameters parameters = new() { { name, "should_fail" } };
        string? error = parameters.Validate();
        Assert.Equal("Parameter '" + name + "' is reserved and cannot be overridden", error);
        Assert.Contains("reserved", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_that_lower_cases_to_a_reserved_name_is_refused()
    {
        // U+212A KELVIN SIGN lower-cases to 'k' (as in Python's str.lower) but is its own upper case.
        string name = "subject_to\u212Aen";
        TokenExchangeParameters parameters = new() { { name, "x" } };
        Assert.Equal("Parameter '" + name + "' is reserved and cannot be overridden", parameters.Validate());
    }

    [Theory]
    [InlineData("scopes")]
    [InlineData("audience_hint")]
    [InlineData("my_client_id")]
    [InlineData("grant-type")]
    [InlineData("device_id")]
    [InlineData("scopes[]")]
    [InlineData("x[scope]")]
    [InlineData("[scopes]")]
    [InlineData("scope_[x]")]
    public void Names_close_to_reserved_ones_are_allowed(string name)
    {
        TokenExchangeParameters parameters = new() { { name, "x" } };
        Assert.Null(parameters.Validate());
    }

    [Fact]
    public void A_reserved_name_with_no_values_is_still_refused()
    {
        TokenExchangeParameters parameters = new() { { "scope", Array.Empty<string>() } };
        Assert.Equal("Parameter 'scope' is reserved and cannot be overridden", parameters.Validate());
    }

    // test_extra_array_exact_limit_passes
    [Fact]
    public void Exactly_twenty_values_are_allowed()
    {
        TokenExchangeParameters parameters = new() { { "roles", Enumerable.Range(0, 20).Select(i => "role" + i) } };
        Assert.Null(parameters.Validate());
        Assert.Equal(20, Fields(parameters).Count);
    }

    // test_extra_array_limit
    [Fact]
    public void Twenty_one_values_are_refused()
    {
        TokenExchangeParameters parameters = new() { { "roles", Enumerable.Range(0, 21).Select(i => "role" + i) } };
        Assert.Equal("Parameter 'roles' exceeds maximum array size of 20", parameters.Validate());
    }

    [Fact]
    public void The_cap_counts_values_appended_one_at_a_time()
    {
        TokenExchangeParameters parameters = new();
        for (int i = 0; i < 20; i++)
        {
            parameters.Add("n", i);
        }

        Assert.Null(parameters.Validate());
        parameters.Add("n", true);
        Assert.Equal("Parameter 'n' exceeds maximum array size of 20", parameters.Validate());
    }

    [Fact]
    public void Validation_reports_the_first_failing_name_in_insertion_order_and_reserved_before_size()
    {
        TokenExchangeParameters tooMany = new()
        {
            { "ok", "1" },
            { "big", Enumerable.Range(0, 21).Select(i => i.ToString(CultureInfo.InvariantCulture)) },
            { "Scope", "x" },
        };
        Assert.Equal("Parameter 'big' exceeds maximum array size of 20", tooMany.Validate());

        TokenExchangeParameters reservedAndBig = new() { { "AUDIENCE", Enumerable.Range(0, 25).Select(i => "a" + i) } };
        Assert.Equal("Parameter 'AUDIENCE' is reserved and cannot be overridden", reservedAndBig.Validate());
    }

    [Fact]
    public void Null_or_empty_names_are_argument_errors()
    {
        TokenExchangeParameters parameters = new();
        Assert.Throws<ArgumentNullException>("name", () => parameters.Add(null!, "x"));
        Assert.Throws<ArgumentException>("name", () => parameters.Add("", "x"));
        Assert.Throws<ArgumentNullException>("name", () => parameters.Add(null!, true));
        Assert.Throws<ArgumentException>("name", () => parameters.Add("", 1));
        Assert.Throws<ArgumentException>("name", () => parameters.Add("", 1.5));
        Assert.Throws<ArgumentNullException>("name", () => parameters.Add(null!, 1.5m));
        Assert.Throws<ArgumentException>("name", () => parameters.Add("", new[] { "x" }));
        Assert.Equal(0, parameters.Count);
    }

    [Fact]
    public void A_null_value_is_an_argument_error()
    {
        TokenExchangeParameters parameters = new();
        Assert.Throws<ArgumentNullException>("value", () => parameters.Add("x", (string)null!));
        Assert.Throws<ArgumentNullException>("values", () => parameters.Add("x", (IEnumerable<string>)null!));
        Assert.Equal(0, parameters.Count);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_non_finite_double_is_out_of_range(double value)
    {
        TokenExchangeParameters parameters = new();
        Assert.Throws<ArgumentOutOfRangeException>("value", () => parameters.Add("x", value));
        Assert.Equal(0, parameters.Count);
    }

    [Fact]
    public void A_null_item_is_an_argument_error_and_adds_nothing()
    {
        TokenExchangeParameters parameters = new() { { "roles", "existing" } };
        Assert.Throws<ArgumentException>("values", () => parameters.Add("roles", new[] { "a", null!, "b" }));
        Assert.Throws<ArgumentException>("values", () => parameters.Add("other", new string[] { null! }));
        Assert.Equal(["existing"], Values(parameters, "roles"));
        Assert.Equal(1, parameters.Count);
    }

    [Fact]
    public void ToString_shows_the_type_name_only()
    {
        TokenExchangeParameters parameters = new() { { "client_assertion_secret", "s3cr3t-value" }, { "pin", 1234 } };
        string text = parameters.ToString();
        Assert.Equal("TokenExchangeParameters", text);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1234", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_float_is_written_in_its_own_shortest_form_not_widened()
    {
        TokenExchangeParameters parameters = new() { { "f", 3.14f } };
        Assert.Equal([new KeyValuePair<string, string>("f", "3.14")], parameters.ToFormFields());
        Assert.Throws<ArgumentOutOfRangeException>(() => parameters.Add("g", float.NaN));
    }
}
