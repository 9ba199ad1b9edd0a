using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PolicyLayer.Redis;

/// <summary>Checks <see cref="RedisCounterStoreOptions"/> and reports every problem at once.</summary>
public sealed class RedisCounterStoreOptionsValidator : IValidateOptions<RedisCounterStoreOptions>
{
    /// <summary>The longest <see cref="RedisCounterStoreOptions.KeyPrefix"/> accepted.</summary>
    public const int MaxKeyPrefixLength = 128;

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisCounterStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every problem of <paramref name="options"/>, each saying which option and how to fix it.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    internal static List<string> Check(RedisCounterStoreOptions options)
    {
        var errors = new List<string>();
        const string Where = "RedisCounterStoreOptions";
        bool hasConfiguration = !string.IsNullOrWhiteSpace(options.Configuration);
        if (hasConfiguration && options.ConnectionMultiplexer is not null)
        {
            errors.Add($"{Where}: both Configuration and ConnectionMultiplexer are set; set only one (a configuration string such as \"localhost:6379\", or a shared IConnectionMultiplexer).");
        }
        else if (!hasConfiguration && options.ConnectionMultiplexer is null)
        {
            errors.Add($"{Where}: neither Configuration nor ConnectionMultiplexer is set; set Configuration to a Redis configuration string such as \"localhost:6379\", or ConnectionMultiplexer to a shared connection.");
        }

        if (hasConfiguration)
        {
            try
            {
                ConfigurationOptions parsed = ConfigurationOptions.Parse(options.Configuration!);
                if (parsed.EndPoints.Count == 0)
                {
                    errors.Add($"{Where}.Configuration: \"{options.Configuration}\" names no server; start it with host:port, for example \"localhost:6379\".");
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{Where}.Configuration: \"{options.Configuration}\" is not a Redis configuration string ({ex.Message}); use the form \"host:port,option=value\".");
            }
        }

        CheckKeyPrefix(Where, options.KeyPrefix, errors);
        CheckTimeout(Where, options.Timeout, errors);

        if (!Enum.IsDefined(options.FailureMode))
        {
            errors.Add($"{Where}.FailureMode is {(int)options.FailureMode}, which is not a RedisFailureMode; use Closed or Open.");
        }

        if (!Enum.IsDefined(options.KeyDistribution))
        {
            errors.Add($"{Where}.KeyDistribution is {(int)options.KeyDistribution}, which is not a RedisKeyDistribution; use PerPartition or SingleSlot.");
        }

        return errors;
    }

    /// <summary>Adds the problems of a key prefix to <paramref name="errors"/>.</summary>
    /// <param name="where">The options' name, for the message.</param>
    /// <param name="prefix">The prefix.</param>
    /// <param name="errors">Where problems are added.</param>
    internal static void CheckKeyPrefix(string where, string? prefix, List<string> errors)
    {
        if (prefix is null)
        {
            errors.Add($"{where}.KeyPrefix is null; use \"\" for no prefix, or a short name such as \"{RedisCounterStoreOptions.DefaultKeyPrefix}\".");
            return;
        }

        if (prefix.Length > MaxKeyPrefixLength)
        {
            errors.Add($"{where}.KeyPrefix is {prefix.Length} characters long; use at most {MaxKeyPrefixLength}.");
        }

        if (prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"{where}.KeyPrefix \"{prefix}\" contains a brace; remove it: the store adds its own hash tag in braces for Redis Cluster.");
        }
    }

    /// <summary>Adds the problem of a round-trip timeout, if any, to <paramref name="errors"/>.</summary>
    /// <param name="where">The options' name, for the message.</param>
    /// <param name="timeout">The timeout.</param>
    /// <param name="errors">Where problems are added.</param>
    internal static void CheckTimeout(string where, TimeSpan timeout, List<string> errors)
    {
        if (timeout < TimeSpan.FromMilliseconds(1) || timeout > MaxTimeout)
        {
            errors.Add($"{where}.Timeout is {timeout}; use a value from 1 millisecond to 1 minute (default {RedisCounterStoreOptions.DefaultTimeout.TotalMilliseconds} ms).");
        }
    }
}
