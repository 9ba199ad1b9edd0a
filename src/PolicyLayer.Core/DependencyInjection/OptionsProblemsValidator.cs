using Microsoft.Extensions.Options;

namespace PolicyLayer.DependencyInjection;

/// <summary>
/// Validates options with their own check, reporting each problem it finds in its own words, so the host's start
/// says which setting is wrong and how to fix it rather than that something is.
/// </summary>
/// <typeparam name="TOptions">The options.</typeparam>
/// <param name="problems">Every problem of the options; empty when they are valid.</param>
internal sealed class OptionsProblemsValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> problems) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var found = problems(options);
        return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
    }
}
