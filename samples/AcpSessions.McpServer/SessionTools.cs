using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace AcpSessions.McpServer;

[McpServerToolType]
public sealed class SessionTools(AgentManager manager)
{
    [McpServerTool(Name = "new_session"), Description("Opens a session with a running agent.")]
    public string NewSession(string agent) =>
        manager.NewSession(agent)?.Id ?? throw new McpException($"{agent} is not running; call initialize first.");

    [McpServerTool(Name = "load_session"), Description("Loads an existing session.")]
    public string LoadSession(string sessionId) =>
        manager.Find(sessionId) is { } s ? $"{s.Id} ({s.Agent}), {s.Events.Count} events." : throw UnknownSession(sessionId);

    [McpServerTool(Name = "list_sessions"), Description("Lists the open sessions.")]
    public string ListSessions() => string.Join("\n", manager.Sessions.Select(s => $"{s.Id} ({s.Agent})")) is { Length: > 0 } list ? list : "No sessions.";

    [McpServerTool(Name = "close_session"), Description("Closes a session.")]
    public string CloseSession(string sessionId) =>
        manager.Close(sessionId) ? $"Closed {sessionId}." : throw UnknownSession(sessionId);

    [McpServerTool(Name = "prompt"), Description("Sends a prompt to the session's agent.")]
    public string Prompt(string sessionId, string text)
    {
        var session = manager.Find(sessionId) ?? throw UnknownSession(sessionId);
        session.Events.Add($"user: {text}");
        session.Events.Add($"{session.Agent}: (simulated) working on it");
        return "Prompt sent; read the reply with prompt_events.";
    }

    [McpServerTool(Name = "prompt_events"), Description("Reads the events of the session's current turn.")]
    public string PromptEvents(string sessionId) =>
        string.Join("\n", (manager.Find(sessionId) ?? throw UnknownSession(sessionId)).Events);

    [McpServerTool(Name = "cancel"), Description("Cancels the session's current turn.")]
    public string Cancel(string sessionId)
    {
        (manager.Find(sessionId) ?? throw UnknownSession(sessionId)).Events.Add("cancelled");
        return "Cancelled.";
    }

    [McpServerTool(Name = "grant_permission"), Description("Answers an agent's permission request.")]
    public string GrantPermission(string sessionId, string permission, bool allow)
    {
        var session = manager.Find(sessionId) ?? throw UnknownSession(sessionId);
        if (allow)
        {
            session.Permissions.Add(permission);
        }

        return allow ? $"Granted {permission}." : $"Refused {permission}.";
    }

    private static McpException UnknownSession(string sessionId) => new($"There is no session '{sessionId}'; list_sessions shows the open ones.");
}
