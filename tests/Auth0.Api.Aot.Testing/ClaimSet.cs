using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Auth0.Api.Aot.Testing;

/// <summary>Raw JSON written as is (for nested or deliberately odd values).</summary>
public sealed record RawJson(string Json);

/// <summary>
/// An ordered set of JSON members for a token header or payload, written with <see cref="Utf8JsonWriter"/> (no
/// reflection). Values: string, bool, int, long, double, string[], <see cref="ClaimSet"/>, <see cref="RawJson"/>, null.
/// </summary>
public sealed class ClaimSet
{
    private readonly List<KeyValuePair<string, object?>> _members = [];

    public object? this[string name]
    {
        get => _members.Find(m => m.Key == name).Value;
        set
        {
            int index = _members.FindIndex(m => m.Key == name);
            if (index >= 0)
            {
                _members[index] = new(name, value);
            }
            else
            {
                _members.Add(new(name, value));
            }
        }
    }

    public bool Contains(string name) => _members.Exists(m => m.Key == name);

    public ClaimSet Set(string name, object? value)
    {
        this[name] = value;
        return this;
    }

    public ClaimSet Remove(string name)
    {
        _members.RemoveAll(m => m.Key == name);
        return this;
    }

    public string ToJson()
    {
        using System.IO.MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream))
        {
            Write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, object?> member in _members)
        {
            writer.WritePropertyName(member.Key);
            WriteValue(writer, member.Value);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case string[] array:
                writer.WriteStartArray();
                foreach (string item in array)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            case ClaimSet nested:
                nested.Write(writer);
                break;
            case RawJson raw:
                writer.WriteRawValue(raw.Json, skipInputValidation: true);
                break;
            default:
                throw new NotSupportedException("Unsupported claim value type: " + value.GetType().Name);
        }
    }
}
