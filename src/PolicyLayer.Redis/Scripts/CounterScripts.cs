using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace PolicyLayer.Redis.Scripts;

/// <summary>One Lua script: its text (for <c>SCRIPT LOAD</c>) and its SHA-1 (for <c>EVALSHA</c>).</summary>
internal sealed class CounterScript
{
    private CounterScript(string text)
    {
        Text = text;
#pragma warning disable CA5350 // SHA-1 is how Redis names scripts; it protects nothing here.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>Checks and reserves every budget of a call, all or nothing.</summary>
    public static CounterScript Reserve { get; } = Load("ReserveScript.lua");

    /// <summary>Gives back the cost of an earlier reservation.</summary>
    public static CounterScript Refund { get; } = Load("RefundScript.lua");

    /// <summary>The scripts to load into a server's script cache.</summary>
    public static IReadOnlyList<CounterScript> All { get; } = [Reserve, Refund];

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>The SHA-1 of <see cref="Text"/>, by which <c>EVALSHA</c> names it.</summary>
    public byte[] Sha1 { get; }

    private static CounterScript Load(string name)
    {
        using Stream stream = typeof(CounterScript).Assembly.GetManifestResourceStream($"PolicyLayer.Redis.Scripts.{name}")
            ?? throw new InvalidOperationException($"The embedded script {name} is missing from {typeof(CounterScript).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new CounterScript(reader.ReadToEnd());
    }
}
