using System;

namespace Auth0.Api.Aot.Tests.Caching;

/// <summary>Byte-level mutations of the kind a fuzzer makes: flips, overwrites, insertions, deletions, truncations.</summary>
internal static class Mutations
{
    public static byte[] Mutate(byte[] input, Random random)
    {
        byte[] value = input;
        int rounds = random.Next(1, 4);
        for (int round = 0; round < rounds; round++)
        {
            value = Once(value, random);
        }

        return value;
    }

    private static byte[] Once(byte[] value, Random random)
    {
        int at = value.Length == 0 ? 0 : random.Next(value.Length);
        switch (random.Next(8))
        {
            case 0 when value.Length > 0:
                byte[] flipped = [.. value];
                flipped[at] ^= (byte)(1 << random.Next(8));
                return flipped;
            case 1 when value.Length > 0:
                byte[] set = [.. value];
                set[at] = (byte)random.Next(256);
                return set;
            case 2:
                byte[] inserted = new byte[random.Next(1, 9)];
                random.NextBytes(inserted);
                return [.. value[..at], .. inserted, .. value[at..]];
            case 3 when value.Length > 0:
                return [.. value[..at], .. value[Math.Min(value.Length, at + random.Next(1, 17))..]];
            case 4:
                return value[..at];
            case 5 when value.Length > 0:
                // An interesting value (0, 0xFF, 0x7F, 0x80) written over a run of bytes, as in an integer field.
                byte[] run = [.. value];
                byte fill = (byte)(random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                for (int i = at; i < Math.Min(run.Length, at + random.Next(1, 9)); i++)
                {
                    run[i] = fill;
                }

                return run;
            case 6 when value.Length > 1:
                byte[] swapped = [.. value];
                int other = random.Next(value.Length);
                (swapped[at], swapped[other]) = (swapped[other], swapped[at]);
                return swapped;
            default:
                int start = value.Length == 0 ? 0 : random.Next(value.Length);
                int length = Math.Min(value.Length - start, random.Next(1, 33));
                return [.. value, .. value.AsSpan(start, length)];
        }
    }
}
