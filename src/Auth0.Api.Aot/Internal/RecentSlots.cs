using System.Threading;

namespace Auth0.Api.Aot.Internal;

/// <summary>
/// A few slots of recently used values (verified token headers, an issuer's keys, DPoP proof headers), written round
/// robin. Readers scan every slot; a write replaces the oldest. Lock-free: a slot is published with a volatile write
/// and read with a volatile read, so a reader sees either the old or the new value, fully constructed.
/// </summary>
/// <remarks>Thread safety: safe for concurrent use. Values must be immutable.</remarks>
internal sealed class RecentSlots<T>(int length)
    where T : class
{
    private readonly T?[] _slots = new T?[length];
    private int _next;

    public int Length => _slots.Length;

    public T? this[int index] => Volatile.Read(ref _slots[index]);

    /// <summary>How many slots hold a value.</summary>
    public int Count
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _slots.Length; i++)
            {
                count += this[i] is null ? 0 : 1;
            }

            return count;
        }
    }

    public void Add(T value)
    {
        int slot = (int)(unchecked((uint)Interlocked.Increment(ref _next)) % (uint)_slots.Length);
        Volatile.Write(ref _slots[slot], value);
    }

    public void Clear()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            Volatile.Write(ref _slots[i], null);
        }
    }

    /// <summary>A copy of the slots, for tests.</summary>
    internal T?[] ToArray()
    {
        T?[] copy = new T?[_slots.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = this[i];
        }

        return copy;
    }
}
