namespace PolicyProxy;

/// <summary>The command line: <c>--policy FILE -- COMMAND [ARGS...]</c>.</summary>
internal sealed record ProxyArguments(string PolicyFile, string Command, IReadOnlyList<string> CommandArguments)
{
    public const string Usage = "usage: PolicyProxy --policy <policy.json> -- <command> [args...]\n" +
        "  e.g. dotnet run --project samples/PolicyProxy -- --policy samples/PolicyProxy/server-everything.policy.json -- npx -y @modelcontextprotocol/server-everything";

    public static ProxyArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        string? policy = null;
        var separator = -1;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                separator = i;
                break;
            }

            if (args[i] == "--policy" && i + 1 < args.Count)
            {
                policy = args[++i];
                continue;
            }

            error = $"unexpected argument '{args[i]}'";
            return null;
        }

        if (policy is null)
        {
            error = "--policy <policy.json> is required";
            return null;
        }

        if (separator < 0 || separator == args.Count - 1)
        {
            error = "the upstream server's command is missing after '--'";
            return null;
        }

        error = null;
        return new ProxyArguments(policy, args[separator + 1], [.. args.Skip(separator + 2)]);
    }
}
