using System;
using Microsoft.CodeAnalysis;

namespace Auth0.Api.Aot.Generators.Parsing;

/// <summary>
/// Collects what <see cref="ClaimsTypeParser"/> finds wrong. The generator passes no reporter and only asks
/// <see cref="HasErrors"/>; the analyzers pass their context's <c>ReportDiagnostic</c>.
/// </summary>
internal sealed class ProblemSink
{
    private readonly Action<Diagnostic>? _report;

    /// <summary>Creates a sink that forwards diagnostics to <paramref name="report"/>, if any.</summary>
    /// <param name="report">Where diagnostics go; <see langword="null"/> to only track errors.</param>
    public ProblemSink(Action<Diagnostic>? report)
    {
        _report = report;
    }

    /// <summary>Whether an error was found: the type must not be generated.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>Records a problem and reports it, if reporting.</summary>
    /// <param name="descriptor">The diagnostic.</param>
    /// <param name="location">Where it is.</param>
    /// <param name="arguments">The message's arguments.</param>
    public void Add(DiagnosticDescriptor descriptor, Location? location, params object?[] arguments)
    {
        HasErrors |= descriptor.DefaultSeverity == DiagnosticSeverity.Error;
        _report?.Invoke(Diagnostic.Create(descriptor, location, arguments));
    }

    /// <summary>Records an error that the compiler itself reports (e.g. an attribute that does not bind).</summary>
    public void AddCompilerError() => HasErrors = true;
}
