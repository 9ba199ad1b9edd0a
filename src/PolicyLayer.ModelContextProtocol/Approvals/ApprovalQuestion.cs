using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using PolicyLayer.Approvals;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// The elicitation put to the person: what would run (tool, grant, the policy's reason, the arguments' names and,
/// only when allowed, their values) and an empty form, so the client shows just Accept and Decline.
/// </summary>
/// <remarks>
/// The caller chooses argument names and values, and the person trusts this text: everything the caller sent is
/// bounded in length and count, and control and formatting characters (line breaks, bidirectional overrides) are
/// replaced, so a call cannot forge lines of the question or flood the client.
/// </remarks>
internal static class ApprovalQuestion
{
    public const int MaxArguments = 20;
    public const int MaxNameLength = 64;
    public const int MaxValueLength = 200;

    public static ElicitRequestParams Create(ApprovalRequest request, IDictionary<string, JsonElement>? arguments, bool showValues) => new()
    {
        Message = Message(request, arguments, showValues),

        // No fields: the answer is the action itself (accept or decline).
        RequestedSchema = new ElicitRequestParams.RequestSchema(),
    };

    public static string Message(ApprovalRequest request, IDictionary<string, JsonElement>? arguments, bool showValues)
    {
        var text = new StringBuilder();
        text.Append("Allow this tool call to run once?\n\n")
            .Append("Tool: ").Append(Shown(request.Tool, MaxNameLength)).Append('\n')
            .Append("Grant: ").Append(Shown(request.Grant, MaxNameLength)).Append('\n')
            .Append("Reason: ").Append(Shown(request.Reason, 500)).Append('\n');
        AppendArguments(text, arguments, showValues);
        text.Append("Approval request: ").Append(request.Id).Append("\n\n")
            .Append("Accept to approve it: the call runs once, now. Decline to refuse it.");
        return text.ToString();
    }

    private static void AppendArguments(StringBuilder text, IDictionary<string, JsonElement>? arguments, bool showValues)
    {
        if (arguments is null || arguments.Count == 0)
        {
            text.Append("Arguments: none\n");
            return;
        }

        var shown = Math.Min(arguments.Count, MaxArguments);
        var more = arguments.Count - shown;
        if (!showValues)
        {
            text.Append("Arguments: ");
            var i = 0;
            foreach (var name in arguments.Keys)
            {
                if (i == shown)
                {
                    break;
                }

                text.Append(i++ == 0 ? string.Empty : ", ").Append(Shown(name, MaxNameLength));
            }

            AppendMore(text, more, ' ');
            text.Append(" (values not shown)\n");
            return;
        }

        text.Append("Arguments:");
        var count = 0;
        foreach (var (name, value) in arguments)
        {
            if (count++ == shown)
            {
                break;
            }

            text.Append("\n  ").Append(Shown(name, MaxNameLength)).Append(": ").Append(Shown(value.GetRawText(), MaxValueLength));
        }

        AppendMore(text, more, '\n');
        text.Append('\n');
    }

    private static void AppendMore(StringBuilder text, int more, char separator)
    {
        if (more > 0)
        {
            text.Append(separator == '\n' ? "\n  " : " ").Append("and ").Append(more.ToString(CultureInfo.InvariantCulture)).Append(" more");
        }
    }

    /// <summary>The text as one safe line: control and formatting characters replaced, cut to <paramref name="max"/> characters.</summary>
    internal static string Shown(string value, int max)
    {
        var length = Math.Min(value.Length, max);
        var builder = new StringBuilder(length + 1);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
                continue;
            }

            // A lone surrogate (also one cut in half at the limit) is not valid text either.
            var category = char.GetUnicodeCategory(c);
            builder.Append(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? '\uFFFD' : c);
        }

        if (value.Length > max)
        {
            builder.Append('\u2026');
        }

        return builder.ToString();
    }
}
