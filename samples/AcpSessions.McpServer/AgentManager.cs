using System.Collections.Concurrent;
using System.Globalization;

namespace AcpSessions.McpServer;

/// <summary>An in-memory stand-in for an agent-session manager: installed agents, running agents, sessions.</summary>
public sealed class AgentManager
{
    private static readonly string[] Registry = ["claude-code", "codex", "gemini-cli", "goose", "opencode"];
    private readonly ConcurrentDictionary<string, bool> _installed = new(StringComparer.Ordinal) { ["claude-code"] = false };
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private int _nextSession;

    public IEnumerable<string> SearchRegistry(string query) =>
        Registry.Where(name => name.Contains(query, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyDictionary<string, bool> Installed => _installed;

    public bool Install(string agent) => Registry.Contains(agent) && _installed.TryAdd(agent, false);

    public bool Uninstall(string agent) => _installed.TryRemove(agent, out _);

    public bool SetRunning(string agent, bool running) => _installed.ContainsKey(agent) && (_installed[agent] = running) == running;

    public Session? NewSession(string agent)
    {
        if (!_installed.TryGetValue(agent, out var running) || !running)
        {
            return null;
        }

        var id = "sess-" + Interlocked.Increment(ref _nextSession).ToString(CultureInfo.InvariantCulture);
        var session = new Session(id, agent);
        _sessions[id] = session;
        return session;
    }

    public Session? Find(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public IEnumerable<Session> Sessions => _sessions.Values.OrderBy(s => s.Id, StringComparer.Ordinal);

    public bool Close(string sessionId) => _sessions.TryRemove(sessionId, out _);
}

/// <summary>One agent session and the events of its current prompt turn.</summary>
public sealed class Session(string id, string agent)
{
    public string Id { get; } = id;

    public string Agent { get; } = agent;

    public List<string> Events { get; } = [];

    public HashSet<string> Permissions { get; } = new(StringComparer.Ordinal);
}
