using PolicyLayer.Approvals;

namespace PolicyLayer.Tests.Approvals;

/// <summary>Runs the approval store contract against <see cref="InMemoryApprovalStore"/>.</summary>
public sealed class InMemoryApprovalStoreContractTests : ApprovalStoreContractTests
{
    protected override IApprovalStore CreateStore(int maxRequests = 10_000, int maxRequestBytes = 64 * 1024) =>
        new InMemoryApprovalStore(Time, new InMemoryApprovalStoreOptions { MaxRequests = maxRequests, MaxRequestBytes = maxRequestBytes, Retention = Retention });
}
