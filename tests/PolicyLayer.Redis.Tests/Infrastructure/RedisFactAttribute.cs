namespace PolicyLayer.Redis.Tests.Infrastructure;

/// <summary>
/// A fact that needs the test Redis server: skipped with an explanation when POLICYLAYER_REDIS is not set, except in
/// CI (CI=true), where the test runs and fails loudly.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestServer.Address is null && !RedisTestServer.IsCi)
        {
            Skip = RedisTestServer.Missing;
        }
    }
}
