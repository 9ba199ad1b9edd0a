using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace PolicyLayer.Redis.Scripts;

/// <summary>One Lua script: its text (for <c>SCRIPT LOAD</c>) and its SHA-1 (for <c>EVALSHA</c>).</summary>
internal sealed class RedisScript
{
    private RedisScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // SHA-1 is how Redis names scripts; it protects nothing here.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>Checks and reserves every budget of a call, all or nothing.</summary>
    public static RedisScript Reserve { get; } = Load("ReserveScript.lua");

    /// <summary>Gives back the cost of an earlier reservation.</summary>
    public static RedisScript Refund { get; } = Load("RefundScript.lua");

    /// <summary>Adds, uses and decides approval requests.</summary>
    public static RedisScript Approval { get; } = Load("ApprovalScript.lua");

    /// <summary>The scripts to load into a server's script cache.</summary>
    public static IReadOnlyList<RedisScript> All { get; } = [Reserve, Refund, Approval];

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>The SHA-1 of <see cref="Text"/>, by which <c>EVALSHA</c> names it.</summary>
    public byte[] Sha1 { get; }

    /// <summary>Runs the script by its SHA-1; when the server lost its script cache, loads every script and retries once.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // A restart, a failover or SCRIPT FLUSH emptied the cache: load again and retry once.
            await LoadAllAsync(database.Multiplexer).ConfigureAwait(false);
            return await database.ScriptEvaluateAsync(Sha1, keys, values).ConfigureAwait(false);
        }
    }

    /// <summary>Best effort: a server that cannot load the scripts now answers NOSCRIPT later, and they are loaded again then.</summary>
    public static async Task LoadAllAsync(IConnectionMultiplexer connection)
    {
        try
        {
            foreach (IServer server in connection.GetServers())
            {
                if (server.IsConnected)
                {
                    foreach (RedisScript script in All)
                    {
                        await server.ScriptLoadAsync(script.Text).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // Nothing to do: see the summary.
        }
    }

    private static RedisScript Load(string name)
    {
        using Stream stream = typeof(RedisScript).Assembly.GetManifestResourceStream($"PolicyLayer.Redis.Scripts.{name}")
            ?? throw new InvalidOperationException($"The embedded script {name} is missing from {typeof(RedisScript).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new RedisScript(reader.ReadToEnd());
    }
}
