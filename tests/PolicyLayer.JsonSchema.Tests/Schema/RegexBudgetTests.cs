using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using PolicyLayer.Schema;
using static PolicyLayer.JsonSchema.Tests.Schema.SchemaTestHelpers;

namespace PolicyLayer.JsonSchema.Tests.Schema;

/// <summary>Patterns on the backtracking engine share one time budget per validation.</summary>
public class RegexBudgetTests
{
    // A lookahead needs the backtracking engine.
    private const string Words = """{"items": {"type": "string", "pattern": "^(?=[a-z])(\\w+\\s?)+$"}}""";

    private static string Strings(string text, int count) => "[" + string.Join(",", Enumerable.Repeat($"\"{text}\"", count)) + "]";

    [Fact]
    public void Validate_MatchesAddingUpToTheBudget_RestAreRejected()
    {
        // Every match takes 25 ms by this clock (it advances each time it is read): the fourth reaches 100 ms.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(25) };
        var schema = Compile(Words, new JsonSchemaOptions { TimeProvider = time });

        Assert.False(schema.IsValid(Parse(Strings("abc", 10))));
        var errors = schema.Validate(Parse(Strings("abc", 10)));
        Assert.Equal(["/4", "/5", "/6", "/7", "/8", "/9"], errors.Select(e => e.InstanceLocation));
        Assert.Equal(
            "/4: matching the pattern '^(?=[a-z])(\\w+\\s?)+$' took too long (patterns that need backtracking may take 100 ms in all per validation); the value is rejected",
            errors[0].Message);

        // Each validation has its own budget.
        Assert.True(schema.IsValid(Parse(Strings("abc", 3))));
    }

    [Fact]
    public void Validate_ManyValuesTimingOut_StopsAfterTheFirstTimeout()
    {
        // Each value needs exponential backtracking: a thousand of them took the timeout a thousand times.
        var schema = Compile(Words);
        var instance = Parse(Strings(new string('a', 40) + "!", 200));

        var clock = Stopwatch.StartNew();
        var errors = schema.Validate(instance);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}"); // 20 s before
        Assert.Equal(101, errors.Count);
        Assert.All(errors.Take(100), e => Assert.Contains("took too long", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_PatternPropertiesSharesTheBudget()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(50) };
        var schema = Compile("""{"patternProperties": {"^(?=x)x+$": {}}}""", new JsonSchemaOptions { TimeProvider = time });
        var errors = schema.Validate(Parse("""{"x": 1, "xx": 2, "xxx": 3}"""));
        Assert.Equal("/patternProperties", Assert.Single(errors).KeywordLocation);
    }
}
