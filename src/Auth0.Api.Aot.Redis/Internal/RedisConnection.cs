using System;
using StackExchange.Redis;

namespace Auth0.Api.Aot.Redis.Internal;

/// <summary>The multiplexer of one scheme's registration, disposed with the service provider when the registration created it.</summary>
internal sealed class RedisConnection(IConnectionMultiplexer multiplexer, bool owned) : IDisposable
{
    public IConnectionMultiplexer Multiplexer { get; } = multiplexer;

    public void Dispose()
    {
        if (owned)
        {
            Multiplexer.Dispose();
        }
    }
}
