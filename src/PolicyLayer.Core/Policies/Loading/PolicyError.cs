namespace PolicyLayer.Policies;

/// <summary>One reason a policy failed to load: what is wrong, where, and a stable code.</summary>
/// <param name="Code">A stable code from <see cref="PolicyErrorCodes"/>, such as <c>PL003</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="Pointer">Where, as a JSON Pointer into the policy (empty for the whole document).</param>
/// <param name="Line">The 1-based line, or 0 when unknown.</param>
/// <param name="Column">The 1-based column, or 0 when unknown.</param>
/// <param name="Source">The file name or other source name, when known.</param>
public sealed record PolicyError(string Code, string Message, string Pointer, int Line, int Column, string? Source)
{
    /// <summary>
    /// Formats the error as <c>file:line:col: error CODE: message (at pointer)</c>, on one line: control characters the
    /// message or pointer quote from the policy (a newline in a pattern or a name) are written as escapes.
    /// </summary>
    /// <returns>The formatted error.</returns>
    public override string ToString() =>
        $"{Source ?? "policy.json"}:{Line}:{Column}: error {Code}: {ErrorLines.Escape(Message)} (at {(Pointer.Length == 0 ? "/" : ErrorLines.Escape(Pointer))})";
}
