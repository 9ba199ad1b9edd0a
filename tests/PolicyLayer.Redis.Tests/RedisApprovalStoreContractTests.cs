using PolicyLayer.Approvals;
using PolicyLayer.Redis.Approvals;
using PolicyLayer.Redis.Tests.Infrastructure;
using PolicyLayer.Tests.Approvals;

namespace PolicyLayer.Redis.Tests;

/// <summary>Runs the approval store contract against <see cref="RedisApprovalStore"/> on the test server.</summary>
/// <remarks>
/// Each test has a key prefix of its own. Inherited facts cannot be skipped in xunit 2, so without POLICYLAYER_REDIS
/// these fail with the message that says how to start Redis.
/// </remarks>
public sealed class RedisApprovalStoreContractTests : ApprovalStoreContractTests
{
    private readonly string _prefix = RedisTestServer.UniquePrefix();

    protected override IApprovalStore CreateStore(int maxRequests = 10_000, int maxRequestBytes = 64 * 1024) =>
        RedisTestServer.CreateApprovalStore(_prefix, Time, options =>
        {
            options.MaxRequests = maxRequests;
            options.MaxRequestBytes = maxRequestBytes;
            options.Retention = Retention;
        });
}
