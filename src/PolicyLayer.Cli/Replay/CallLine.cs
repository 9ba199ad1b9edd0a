using System.Text.Json;

namespace PolicyLayer.Cli.Replay;

/// <summary>One recorded call: a line of a replay file, or the <c>call</c> of a policy test.</summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="Arguments">The arguments object.</param>
/// <param name="Grant">The grant id, or <see langword="null"/>.</param>
/// <param name="Session">The session id, or <see langword="null"/>.</param>
/// <param name="Caller">The caller's attributes (an object), or <see langword="null"/>.</param>
/// <param name="At">When the call happened, or <see langword="null"/> for "at the previous call's time".</param>
/// <param name="Failed">Whether the tool failed (<c>"result": "error"</c>), which refunds its reservation.</param>
internal sealed record CallLine(string Tool, JsonElement Arguments, string? Grant, string? Session, JsonElement? Caller, DateTimeOffset? At, bool Failed)
{
    public ToolCall ToToolCall() =>
        new(Tool, Arguments, Grant, Session, Caller is { } caller ? new JsonProperties(caller) : default);
}
