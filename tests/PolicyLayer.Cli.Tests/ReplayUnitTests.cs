using PolicyLayer.Cli.Replay;

namespace PolicyLayer.Cli.Tests;

public class ReplayClockTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryMoveTo_Later_MovesClockAndTimestamps()
    {
        var clock = new ReplayClock(Start);
        var before = clock.GetTimestamp();

        Assert.True(clock.TryMoveTo(Start.AddSeconds(90)));

        Assert.Equal(Start.AddSeconds(90), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(90), clock.GetElapsedTime(before, clock.GetTimestamp()));
    }

    [Fact]
    public void TryMoveTo_Earlier_RefusesAndKeepsTime()
    {
        var clock = new ReplayClock(Start);

        Assert.False(clock.TryMoveTo(Start.AddTicks(-1)));
        Assert.Equal(Start, clock.GetUtcNow());
    }
}

public class Rfc3339Tests
{
    [Theory]
    [InlineData("2025-01-31T09:30:00Z", "2025-01-31T09:30:00+00:00")]
    [InlineData("2025-01-31t09:30:00z", "2025-01-31T09:30:00+00:00")]
    [InlineData("2025-01-31 09:30:00Z", "2025-01-31T09:30:00+00:00")]
    [InlineData("2025-01-31T09:30:00.250+02:00", "2025-01-31T07:30:00.25+00:00")]
    [InlineData("2025-01-31T09:30:00.123456789Z", "2025-01-31T09:30:00.1234567+00:00")]
    [InlineData("2025-01-31T09:30:00.999999999999-01:00", "2025-01-31T10:30:00.9999999+00:00")]
    public void TryParse_Rfc3339_Parses(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Theory]
    [InlineData("2025-01-31T09:30:00")]
    [InlineData("2025-01-31")]
    [InlineData("31/01/2025 09:30:00Z")]
    [InlineData("yesterday")]
    [InlineData("2025-13-31T09:30:00Z")]
    [InlineData("2025-01-31T09:30:00.Z")]
    [InlineData("2025-01-31T09:30:00.12345678x9Z")]
    public void TryParse_NotRfc3339_Fails(string text)
    {
        Assert.False(Rfc3339.TryParse(text, out _));
    }
}

public class BoundedLineReaderTests
{
    [Fact]
    public void TryRead_LongLine_IsRefusedAndTheNextLineIsRead()
    {
        var reader = new BoundedLineReader(new StringReader(new string('x', 100) + "\r\nnext\n"), maxChars: 10);

        Assert.True(reader.TryRead(out var first, out var tooLong));
        Assert.Null(first);
        Assert.True(tooLong);
        Assert.True(reader.TryRead(out var second, out tooLong));
        Assert.Equal("next", second);
        Assert.False(tooLong);
        Assert.False(reader.TryRead(out _, out _));
    }
}

public class CallLineParserTests
{
    [Fact]
    public void ParseLine_TooDeep_IsAnErrorNotACrash()
    {
        var deep = new string('[', 200) + new string(']', 200);

        var call = CallLineParser.ParseLine($"{{\"tool\":\"a\",\"args\":{{\"x\":{deep}}}}}", out var error);

        Assert.Null(call);
        Assert.StartsWith("not valid JSON", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "a call must be a JSON object")]
    [InlineData("{\"tool\":\"\"}", "'tool' must be a non-empty string")]
    [InlineData("{\"tool\":\"a\",\"grant\":1}", "'grant' must be a string or null")]
    [InlineData("{\"tool\":\"a\",\"caller\":\"admin\"}", "'caller' must be an object")]
    [InlineData("{\"tool\":\"a\",\"result\":\"failed\"}", "'result' must be \"ok\" or \"error\"")]
    [InlineData(@"{""tool"":""\ud800""}", "a field name or string escapes a lone surrogate")]
    [InlineData(@"{""tool"":""a"",""\udc00"":1}", "a field name or string escapes a lone surrogate")]
    [InlineData(@"{""tool"":""a"",""grant"":""g\ud800""}", "a field name or string escapes a lone surrogate")]
    [InlineData(@"{""tool"":""a"",""at"":""\ud800""}", "a field name or string escapes a lone surrogate")]
    public void ParseLine_WrongShape_SaysWhat(string line, string expected)
    {
        Assert.Null(CallLineParser.ParseLine(line, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
