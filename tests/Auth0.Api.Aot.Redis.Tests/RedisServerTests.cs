using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Auth0.Api.Aot.Testing;

namespace Auth0.Api.Aot.Redis.Tests;

/// <summary>
/// The redis-server fixture itself: a server that cannot bind its port is never taken for the server already on it,
/// and a restart while running replaces the process instead of leaking it.
/// </summary>
public sealed class RedisServerTests : RedisTestBase
{
    [Fact]
    public async Task A_server_whose_port_is_taken_by_another_fails_instead_of_answering_as_that_one()
    {
        // Before, the wait loop PINGed the port first and took the other test's server for its own.
        RedisServerExitedException taken = await Assert.ThrowsAsync<RedisServerExitedException>(() => RedisServer.StartAsync(Redis.Port));
        Assert.Contains("exited before answering", taken.Message, StringComparison.Ordinal);
        Assert.Equal("+PONG", await Redis.CommandAsync("PING"));
    }

    [Fact]
    public async Task A_restart_while_running_kills_the_running_process_first()
    {
        int first = Redis.ProcessId!.Value;
        await Redis.RestartAsync();
        int second = Redis.ProcessId!.Value;

        Assert.NotEqual(first, second);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(first));
        Assert.Equal("+PONG", await Redis.CommandAsync("PING"));
    }
}
