namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>A theory that needs the test Redis server; skipped or failing as <see cref="RedisFactAttribute"/> says.</summary>
public sealed class RedisTheoryAttribute : TheoryAttribute
{
    public RedisTheoryAttribute()
    {
        if (RedisTestServer.Address is null && !RedisTestServer.IsCi)
        {
            Skip = RedisTestServer.Missing;
        }
    }
}
