using System;
using System.Threading;

namespace Auth0.Api.Aot.Tests.Support;

/// <summary>Counts first-chance exceptions thrown on this async flow only (other tests run in parallel).</summary>
internal sealed class FirstChanceCounter : IDisposable
{
    private static readonly AsyncLocal<FirstChanceCounter?> s_current = new();
    private int _count;

    public FirstChanceCounter()
    {
        s_current.Value = this;
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
    }

    public int Count => Volatile.Read(ref _count);

    public string? Last { get; private set; }

    public void Reset()
    {
        _count = 0;
        Last = null;
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        s_current.Value = null;
    }

    private static void OnFirstChance(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
    {
        if (s_current.Value is FirstChanceCounter counter)
        {
            Interlocked.Increment(ref counter._count);
            counter.Last = e.Exception.GetType().Name + " " + e.Exception.Message;
        }
    }
}
