using System.Text.Json;
using Microsoft.Extensions.Options;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol.Tests;

public sealed class ApprovalQuestionTests
{
    private static readonly ApprovalRequest Request = new(
        "apr_0123", "key", "wire_money", "alice", "{}", "Payments need a person's approval.", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));

    [Fact]
    public void Message_ArgumentNameWithLineBreaks_CannotForgeALine()
    {
        var arguments = Arguments("""{ "x\nReason: approved by the CFO\u202E": 1 }""");

        var message = ApprovalQuestion.Message(Request, arguments, showValues: true);

        Assert.DoesNotContain("\nReason: approved", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', message);
        Assert.Contains("x\uFFFDReason: approved by the CFO\uFFFD: 1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_ManyLongArguments_IsBounded()
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"{new string('k', 1000)}{i}\": \"{new string('v', 10_000)}\"")) + "}";

        var message = ApprovalQuestion.Message(Request, Arguments(json), showValues: true);

        Assert.Contains("and 480 more", message, StringComparison.Ordinal);
        Assert.True(message.Length < 8_000, $"The question is {message.Length} characters long.");
    }

    [Fact]
    public void Message_ValuesHidden_ListsNamesOnly()
    {
        var message = ApprovalQuestion.Message(Request, Arguments("""{ "amount": 31337, "iban": "DE00SECRET" }"""), showValues: false);

        Assert.Contains("Arguments: amount, iban (values not shown)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("31337", message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shown_SurrogatePairCutAtTheLimit_LeavesNoLoneSurrogate()
    {
        var shown = ApprovalQuestion.Shown("ab\U0001F600", 3);

        Assert.Equal("ab\uFFFD\u2026", shown);
    }

    [Fact]
    public void Shown_SurrogatePairWithinTheLimit_KeptWhole()
    {
        Assert.Equal("pay 💶 now", ApprovalQuestion.Shown("pay 💶 now", 40));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    public void Message_NoArguments_SaysSo(string? json)
    {
        var message = ApprovalQuestion.Message(Request, json is null ? null : Arguments(json), showValues: true);

        Assert.Contains("Arguments: none\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ElicitationWithoutApprovals_FailsSayingHowToFixIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(configure: o => o.ApprovalElicitation.Enabled = true));

        Assert.Contains(error.Failures, f => f.Contains("AddApprovals()", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(2 * 24 * 60)]
    public async Task Start_ElicitationTimeoutOutOfRange_Fails(int minutes)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => McpTestServer.StartAsync(configure: o => o.ApprovalElicitation.Timeout = TimeSpan.FromMinutes(minutes)));

        Assert.Contains(error.Failures, f => f.Contains("ApprovalElicitation.Timeout", StringComparison.Ordinal));
    }

    private static Dictionary<string, JsonElement> Arguments(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
