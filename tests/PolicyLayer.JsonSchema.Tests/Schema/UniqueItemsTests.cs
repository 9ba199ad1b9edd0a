using System.Diagnostics;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary><c>uniqueItems</c>: JSON equality, in n log n time, within the depth limit.</summary>
public class UniqueItemsTests
{
    private static readonly PolicyLayer.Schema.JsonSchema Unique = Compile("""{"uniqueItems": true}""");

    [Theory]
    [InlineData("[1, 1.0]", "items 0 and 1 are equal")]
    [InlineData("[0, -0, 0e5]", "items 0 and 1 are equal")]
    [InlineData("[100, 1e2, 10E+1]", "items 0 and 1 are equal")]
    [InlineData("""["a", "b", "\u0061"]""", "items 0 and 2 are equal")]
    [InlineData("""[{"a": 1, "b": [2]}, {"b": [2.0], "a": 1.00}]""", "items 0 and 1 are equal")]
    [InlineData("""[1, "x", 2, [3], "x", [3]]""", "items 1 and 4 are equal")]
    [InlineData("""[null, null]""", "items 0 and 1 are equal")]
    [InlineData("""[1234567890123456789012345678901234567890, 1.234567890123456789012345678901234567890e39]""", "items 0 and 1 are equal")]
    public void Validate_EqualItems_ReportsTheFirstPair(string instance, string message)
    {
        Assert.False(Unique.IsValid(Parse(instance)));
        Assert.Equal("/: " + message + "; array items must be unique", Assert.Single(Unique.Validate(Parse(instance))).Message);
    }

    [Theory]
    [InlineData("""[1, "1", true, null, [], {}, [1], {"a": 1}]""")]
    [InlineData("""[[1, 2], [2, 1]]""")]
    [InlineData("""[{"a": 1}, {"a": 1, "b": 1}, {"b": 1}]""")]
    [InlineData("""[0.1, 0.10000000000000001, 1e-1000, 1e1000]""")]
    [InlineData("""["a", "A", "a "]""")]
    [InlineData("""[12345678901234567890, 12345678901234567891]""")]
    public void IsValid_DistinctItems_IsValid(string instance)
    {
        Assert.True(Unique.IsValid(Parse(instance)));
        Assert.Empty(Unique.Validate(Parse(instance)));
    }

    [Fact]
    public void Validate_ManyEqualItems_ReportsTheFirstPairQuickly()
    {
        var ones = Parse("[2," + string.Join(",", Enumerable.Repeat("1", 150_000)) + "]");
        var clock = Stopwatch.StartNew();
        Assert.Equal("/: items 1 and 2 are equal; array items must be unique", Assert.Single(Unique.Validate(ones)).Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}"); // generous for a loaded machine
    }

    [Fact]
    public void Validate_ItemsDeeperThanTheLimit_AreInvalid()
    {
        // Deep equality used to stop at 64 levels and call such items different, admitting duplicates.
        var deep = new string('[', 70) + new string(']', 70);
        var schema = Compile("""{"uniqueItems": true}""", new JsonSchemaOptions { MaxInstanceDepth = 200 });
        Assert.False(schema.IsValid(Parse($"[{deep}, {deep}]")));
        Assert.Equal("/: items 0 and 1 are equal; array items must be unique", Assert.Single(schema.Validate(Parse($"[{deep}, {deep}]"))).Message);
        Assert.Contains("nested deeper than 64 levels", Assert.Single(Unique.Validate(Parse($"[{deep}, 1]"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(150_000, false)]
    [InlineData(30_000, true)]
    public void IsValid_MegabyteArray_DecidesQuickly(int count, bool nested)
    {
        // Every pair was compared: a 150,000-item array took hours.
        var items = Enumerable.Range(0, count).Select(i => nested ? $"[{i}]" : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var distinct = Parse("[" + string.Join(",", items) + "]");
        var duplicated = Parse("[" + string.Join(",", items) + (nested ? ",[0]]" : ",0]"));
        var schema = Compile("""{"properties": {"ids": {"type": "array", "uniqueItems": true}}}""");

        Assert.True(Unique.IsValid(Parse("[[0], 1, 2]"))); // compiled before the clock starts

        var clock = Stopwatch.StartNew();
        Assert.True(Unique.IsValid(distinct));
        Assert.False(Unique.IsValid(duplicated));
        var elapsed = clock.Elapsed;
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"{elapsed}"); // hours before; generous for a loaded machine

        Assert.Empty(Unique.Validate(distinct));
        Assert.Equal($"/: items 0 and {count} are equal; array items must be unique", Assert.Single(Unique.Validate(duplicated)).Message);
        Assert.True(schema.IsValid(Parse("{\"ids\": " + distinct.GetRawText() + "}")));
    }
}
