using Xunit.Abstractions;
using Xunit.Sdk;

namespace PolicyLayer.JsonSchema.Tests.Conformance;

/// <summary>
/// A theory with one case per test of a draft of the JSON Schema Test Suite; a test listed in the exclusions file
/// is reported as skipped with its reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PolicyLayer.JsonSchema.Tests.Conformance.ConformanceDiscoverer", "PolicyLayer.JsonSchema.Tests")]
public sealed class ConformanceTheoryAttribute(string draft) : FactAttribute
{
    /// <summary>The suite folder of the draft ("draft2020-12").</summary>
    public string Draft { get; } = draft;
}

/// <summary>Creates the cases of a <see cref="ConformanceTheoryAttribute"/>.</summary>
public sealed class ConformanceDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var draft = (string)factAttribute.GetConstructorArguments().Single();
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        foreach (var id in ConformanceSuite.CaseIds(draft))
        {
            var reason = ConformanceExclusions.ReasonFor(id);
            yield return reason is null
                ? new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod, [id])
                : new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason, [id]);
        }
    }
}
