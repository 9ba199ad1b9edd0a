using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using PolicyLayer.Counters;

namespace PolicyLayer.Redis.Keys;

/// <summary>
/// Names the Redis key of a budget: <c>prefix{tag}:digest:name[:keyValue]</c>.
/// </summary>
/// <remarks>
/// <para>The tag (in braces, a Redis Cluster hash tag) is the partition (<c>g:grant</c>, <c>s:session</c>,
/// <c>global</c>) or one fixed tag, by <see cref="RedisKeyDistribution"/>. The digest part is a digest of every
/// field of the <see cref="CounterDefinition"/>, so a counter whose window or maximum changes starts a new budget,
/// as it does in memory. A caller-supplied part (partition, key value) longer than 64 characters, or one with a brace,
/// a control character or a leading <c>#</c>, is replaced by <c>#</c> and its SHA-256, which bounds the key's length
/// and keeps the tag intact; the parts are separated so that no two distinct budgets share a key.</para>
/// </remarks>
internal sealed class BudgetKeys
{
    private const int MaxVerbatimLength = 64;
    private const string SingleTag = "policylayer";

    private static readonly ConditionalWeakTable<CounterDefinition, string> DefinitionParts = new();

    private readonly string _prefix;
    private readonly RedisKeyDistribution _distribution;

    public BudgetKeys(string prefix, RedisKeyDistribution distribution)
    {
        _prefix = prefix;
        _distribution = distribution;
    }

    /// <summary>The hash tag of <paramref name="key"/>, without braces.</summary>
    public string TagOf(in CounterKey key)
    {
        if (_distribution == RedisKeyDistribution.SingleSlot)
        {
            return SingleTag;
        }

        return key.Counter.Scope switch
        {
            CounterScope.Grant => "g:" + Verbatim(key.Partition),
            CounterScope.Session => "s:" + Verbatim(key.Partition),
            _ => key.Partition.Length == 0 ? "global" : "global:" + Verbatim(key.Partition),
        };
    }

    /// <summary>The key of the budget <paramref name="key"/> whose tag is <paramref name="tag"/>.</summary>
    public string KeyOf(in CounterKey key, string tag)
    {
        string definition = DefinitionParts.GetValue(key.Counter, DescribeDefinition);
        return key.KeyValue is null
            ? string.Concat(_prefix, "{", tag, "}", definition)
            : string.Concat(_prefix, "{", tag, "}", definition, ":", Verbatim(key.KeyValue));
    }

    /// <summary>The text itself when it is short and plain; otherwise <c>#</c> and its SHA-256.</summary>
    private static string Verbatim(string text)
    {
        if (text.Length <= MaxVerbatimLength && !text.StartsWith('#') && !NeedsHashing(text))
        {
            return text;
        }

        return "#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static bool NeedsHashing(string text)
    {
        foreach (char c in text)
        {
            if (c is '{' or '}' || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>:digest:name</c>, the digest covering every field so that equal definitions share a budget.</summary>
    private static string DescribeDefinition(CounterDefinition counter)
    {
        // Maxima equal as decimals (5 and 5.0) must give the same text.
        string max = counter.Max.ToString("0.############################", CultureInfo.InvariantCulture);
        string identity = string.Join(
            '\u001f',
            counter.Name,
            counter.Window.Ticks.ToString(CultureInfo.InvariantCulture),
            max,
            counter.Scope.ToString(),
            counter.KeyPath is null ? "\u0000" : "=" + counter.KeyPath);
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        // The digest first: it fixes the name (and so where the name ends), whatever characters the name has.
        return ":" + Convert.ToHexString(digest.AsSpan(0, 8)) + ":" + Verbatim(counter.Name);
    }
}
