using PolicyLayer.Redis.Scripts;

namespace PolicyLayer.Redis.Tests.Infrastructure;

internal static class CounterScriptsForTests
{
    public static string ReserveText => RedisScript.Reserve.Text;
}
