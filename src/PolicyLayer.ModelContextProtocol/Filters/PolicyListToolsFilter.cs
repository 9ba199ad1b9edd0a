using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace PolicyLayer.ModelContextProtocol;

/// <summary>
/// Removes hidden tools from <c>tools/list</c> answers, keeping everything else (cursor, metadata), and
/// registers the input schemas of the tools that pass. The session is followed from here for policy changes
/// to what it sees (see <see cref="ToolListChangeNotifier"/>).
/// </summary>
internal static class PolicyListToolsFilter
{
    public static McpRequestFilter<ListToolsRequestParams, ListToolsResult> Create(IToolCallAuthorizer authorizer, PolicyToolCatalog catalog, ToolListChangeNotifier notifier) =>
        next => async (context, cancellationToken) =>
        {
            notifier.Follow(context.Server);
            var result = await next(context, cancellationToken).ConfigureAwait(false);
            catalog.AddTools(result.Tools);

            // Edit the list in place: the result keeps every other field it has.
            var tools = result.Tools;
            for (var i = tools.Count - 1; i >= 0; i--)
            {
                if (!authorizer.IsToolVisible(tools[i].Name))
                {
                    tools.RemoveAt(i);
                }
            }

            return result;
        };
}
