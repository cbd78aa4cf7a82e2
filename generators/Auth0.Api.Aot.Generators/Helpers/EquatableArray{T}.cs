using System;
using System.Collections;
using System.Collections.Generic;

namespace Auth0.Api.Aot.Generators.Helpers;

/// <summary>
/// An immutable array with value equality, for pipeline models: two instances are equal when their elements are equal
/// pairwise, which is what lets an incremental stage report <c>Unchanged</c> instead of re-running its successors.
/// </summary>
/// <typeparam name="T">The element type, itself with value equality.</typeparam>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? _array;

    /// <summary>Wraps <paramref name="array"/>, which the caller must not change afterwards.</summary>
    /// <param name="array">The elements.</param>
    public EquatableArray(T[] array)
    {
        _array = array;
    }

    /// <summary>The empty array.</summary>
    public static EquatableArray<T> Empty => new([]);

    /// <summary>The number of elements.</summary>
    public int Count => _array?.Length ?? 0;

    /// <summary>The element at <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    public T this[int index] => (_array ?? [])[index];

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(EquatableArray<T> other)
    {
        T[] mine = _array ?? [];
        T[] theirs = other._array ?? [];
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (int i = 0; i < mine.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(mine[i], theirs[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in _array ?? [])
        {
            hash = unchecked((hash * 31) + EqualityComparer<T>.Default.GetHashCode(item));
        }

        return hash;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_array ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
