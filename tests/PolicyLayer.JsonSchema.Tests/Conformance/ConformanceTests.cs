namespace PolicyLayer.JsonSchema.Tests.Conformance;

/// <summary>Every test of the JSON Schema Test Suite for the drafts the validator implements, required and optional.</summary>
public class ConformanceTests
{
    [ConformanceTheory("draft2020-12")]
    public void Draft2020_12(string id) => AssertPasses(id);

    [ConformanceTheory("draft7")]
    public void Draft7(string id) => AssertPasses(id);

    private static void AssertPasses(string id)
    {
        var outcome = ConformanceSuite.Run(id);
        Assert.True(outcome.Passed, $"{id}: {outcome.Detail}");
    }
}
