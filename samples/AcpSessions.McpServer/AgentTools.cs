using System.ComponentModel;
using ModelContextProtocol.Server;

namespace AcpSessions.McpServer;

[McpServerToolType]
public sealed class AgentTools(AgentManager manager)
{
    [McpServerTool(Name = "list_installed_agents"), Description("Lists the installed agents and whether each is running.")]
    public string ListInstalledAgents() =>
        string.Join("\n", manager.Installed.Select(a => $"{a.Key}: {(a.Value ? "running" : "stopped")}"));

    [McpServerTool(Name = "registry_search"), Description("Searches the agent registry.")]
    public string RegistrySearch([Description("Part of an agent's name.")] string query) =>
        string.Join("\n", manager.SearchRegistry(query)) is { Length: > 0 } found ? found : "No agent matches.";

    [McpServerTool(Name = "agent_install"), Description("Installs an agent from the registry.")]
    public string AgentInstall(
        [Description("The agent's registry name.")] string agent,
        [Description("Why the agent is needed (the policy requires it).")] string? reason = null) =>
        manager.Install(agent) ? $"Installed {agent}." : $"Could not install {agent}: unknown or already installed.";

    [McpServerTool(Name = "agent_uninstall"), Description("Uninstalls an agent.")]
    public string AgentUninstall(string agent) =>
        manager.Uninstall(agent) ? $"Uninstalled {agent}." : $"{agent} is not installed.";

    [McpServerTool(Name = "initialize"), Description("Starts an installed agent.")]
    public string Initialize(string agent) =>
        manager.SetRunning(agent, true) ? $"{agent} is running." : $"{agent} is not installed.";

    [McpServerTool(Name = "shutdown"), Description("Stops a running agent.")]
    public string Shutdown(string agent) =>
        manager.SetRunning(agent, false) ? $"{agent} stopped." : $"{agent} is not installed.";

    [McpServerTool(Name = "reload_config"), Description("Reloads the session manager's configuration.")]
    public string ReloadConfig() => "Configuration reloaded.";
}
