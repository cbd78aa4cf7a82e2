using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using SharpFuzz;

namespace Auth0.Api.Aot.Fuzz;

/// <summary>
/// The fuzz targets of Auth0.Api.Aot (docs/fuzzing.md). Each takes the fuzzer's bytes, calls the library, and throws only
/// when an invariant breaks or when the library let an exception escape that its API does not document; afl-fuzz
/// records either as a crash.
/// </summary>
internal static class Program
{
    private const int MaxInputLength = 1024 * 1024;

    private static readonly Dictionary<string, (Action<ReadOnlySpan<byte>> Run, Action SelfTest)> s_targets = new(StringComparer.Ordinal)
    {
        ["token"] = (TokenTarget.Run, TokenTarget.SelfTest),
        ["proof"] = (ProofTarget.Run, ProofTarget.SelfTest),
        ["htu"] = (HtuTarget.Run, HtuTarget.SelfTest),
        ["jwks"] = (JwksTarget.Run, JwksTarget.SelfTest),
        ["cache-entry"] = (CacheEntryTarget.Run, CacheEntryTarget.SelfTest),
        ["documents"] = (DocumentsTarget.Run, DocumentsTarget.SelfTest),
    };

    private static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "list")
        {
            Console.WriteLine(string.Join('\n', s_targets.Keys));
            return 0;
        }

        if (args.Length == 2 && args[0] == "seeds")
        {
            AllocateTraceMap();
            Seeds.Write(args[1]);
            return 0;
        }

        if (args.Length == 0 || !s_targets.TryGetValue(args[0], out (Action<ReadOnlySpan<byte>> Run, Action SelfTest) target))
        {
            Console.Error.WriteLine("usage: Auth0.Api.Aot.Fuzz <target>            run under afl-fuzz (input on stdin)");
            Console.Error.WriteLine("       Auth0.Api.Aot.Fuzz <target> <path>...  run the target once on each file, or each file in each folder");
            Console.Error.WriteLine("       Auth0.Api.Aot.Fuzz seeds <folder>      write the seed corpus to <folder>/<target>/");
            Console.Error.WriteLine("       Auth0.Api.Aot.Fuzz list                the targets: " + string.Join(", ", s_targets.Keys));
            return 2;
        }

        if (args.Length == 1)
        {
            return Fuzz(target.Run, target.SelfTest);
        }

        AllocateTraceMap();
        target.SelfTest();
        return Replay(target.Run, args.AsSpan(1));
    }

    // Under afl-fuzz: SharpFuzz's fork server, which runs the target in a child process that it restarts when the target
    // dies (a stack overflow) or times out. Must be started as `dotnet Auth0.Api.Aot.Fuzz.dll <target>`: the server
    // starts the child with `dotnet` and this command line. The self-test runs on the first input, whose trace bits
    // SharpFuzz discards.
    private static int Fuzz(Action<ReadOnlySpan<byte>> target, Action selfTest)
    {
        byte[] buffer = new byte[MaxInputLength];
        bool tested = false;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            if (!tested)
            {
                selfTest();
                tested = true;
            }

            int length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            target(buffer.AsSpan(0, length));
        });
        return 0;
    }

    // Outside afl-fuzz: each input once, in name order, reporting every exception with its stack (a finding's
    // reproduction). afl-fuzz's README.txt files in its output folders are skipped.
    private static int Replay(Action<ReadOnlySpan<byte>> target, ReadOnlySpan<string> paths)
    {
        int inputs = 0;
        int failures = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "README.txt").Order(StringComparer.Ordinal)
                : [path];
            foreach (string file in files)
            {
                inputs++;
                try
                {
                    target(File.ReadAllBytes(file));
                }
#pragma warning disable CA1031 // Every exception is a finding, reported with the input that raised it.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    failures++;
                    Console.Error.WriteLine("FAIL " + file);
                    Console.Error.WriteLine(exception);
                }
            }
        }

        Console.WriteLine(inputs + " inputs, " + failures + " failed");
        return failures == 0 ? 0 : 1;
    }

    // Instrumented code writes its coverage to SharpFuzz's map, which only exists under afl-fuzz: elsewhere it gets one of
    // its own, or its first branch writes through a null pointer. Never freed: it lives as long as the process.
    private static unsafe void AllocateTraceMap() => SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(1 << 16);
}
