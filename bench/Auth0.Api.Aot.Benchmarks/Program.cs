using BenchmarkDotNet.Running;

namespace Auth0.Api.Aot.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project bench/Auth0.Api.Aot.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
