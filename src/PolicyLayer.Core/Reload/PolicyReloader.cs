using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyLayer.Authorization;
using PolicyLayer.Diagnostics;
using PolicyLayer.Policies;

namespace PolicyLayer.Reload;

/// <summary>Options of <see cref="PolicyReloader"/>.</summary>
public sealed class PolicyReloaderOptions
{
    /// <summary>The policy file that <see cref="PolicyReloader.Reload"/> reads and, with <see cref="Watch"/>, watches.</summary>
    public string? PolicyFile { get; set; }

    /// <summary>Whether to watch <see cref="PolicyFile"/> and reload when it changes. Default: <see langword="true"/>.</summary>
    public bool Watch { get; set; } = true;

    /// <summary>How long the file must stay unchanged before a reload, so an editor's several writes make one reload. Default: 250 ms.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How the policy is loaded.</summary>
    public PolicyLoadOptions LoadOptions { get; set; } = PolicyLoadOptions.Default;
}

/// <summary>
/// Reloads a <see cref="PolicyAuthorizer"/>'s policy: from its file when the file changes, or when asked.
/// </summary>
/// <remarks>
/// <para>A new text is loaded and validated completely, then swapped in with one reference write
/// (<see cref="PolicyAuthorizer.UpdatePolicy"/>): each decision is made under exactly one policy, and carries its
/// revision; <see cref="PolicyAuthorizer.PolicyChanged"/> is raised once the reload's lock is released. A text with
/// errors is never half-applied: the last good policy keeps running, and every error is logged with its line, column
/// and JSON Pointer.</para>
/// <para>Budgets survive a reload when their counter's definition (window, max, scope, key) is unchanged, because
/// counter stores key budgets by the definition's value; a changed definition counts in the budgets of the new
/// definition, empty unless that definition was in force within its window (so a change reverted at once cannot reset
/// a limit), and the log says so.</para>
/// <para>Watching uses a <see cref="FileSystemWatcher"/> on the file's folder, debounced with a timer of the
/// injected <see cref="TimeProvider"/>; the watcher calls the same <see cref="Reload"/> that hosts and tests can
/// call directly. When the file is a symbolic link (a Kubernetes ConfigMap mount), any change in the folder reloads,
/// so that a swap of the link's target is noticed; a reload that finds the revision in force does nothing. A
/// deleted file is logged as a warning, and the last good policy stays in force.</para>
/// <para>Reloads are serialized: each is numbered when it reads its text (under a lock, so the numbers follow the
/// order of the reads), and applied under the same lock only if no later-numbered reload was applied first. Two
/// reloads that overlap (the watcher's timer, a host's call, an options change) therefore never leave the older
/// text in force; the one that lost reports <see cref="PolicyReloadStatus.Unchanged"/>. A file's text is parsed
/// outside the lock (an options change loads under it), and authorizations never wait for a reload.</para>
/// </remarks>
public sealed partial class PolicyReloader : IDisposable
{
    private readonly PolicyAuthorizer _authorizer;
    private readonly ILogger _logger;
    private readonly string? _path;
    private readonly PolicyLoadOptions _loadOptions;
    private readonly TimeSpan _debounce;
    private readonly object _reloadLock = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer? _timer;
    private int _disposed;

    // Both under _reloadLock: the number of the last reload that read its text, and of the last one applied.
    private long _readGeneration;
    private long _appliedGeneration;

    /// <summary>Creates a reloader, and starts watching the file when the options ask for it.</summary>
    /// <param name="authorizer">The authorizer whose policy is replaced.</param>
    /// <param name="options">The file, whether to watch it, and how to load it.</param>
    /// <param name="logger">Where reloads, rejected edits (every error) and restarted counters are logged.</param>
    /// <param name="timeProvider">The clock of the debounce timer; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public PolicyReloader(PolicyAuthorizer authorizer, PolicyReloaderOptions options, ILogger<PolicyReloader>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(authorizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Debounce, TimeSpan.Zero, "options.Debounce");
        _authorizer = authorizer;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _path = options.PolicyFile is null ? null : Path.GetFullPath(options.PolicyFile);
        _loadOptions = options.LoadOptions ?? PolicyLoadOptions.Default;
        _debounce = options.Debounce;
        if (options.Watch && _path is not null)
        {
            _timer = (timeProvider ?? TimeProvider.System).CreateTimer(static state => ((PolicyReloader)state!).OnDebounced(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _watcher = TryWatch(_path);
        }
    }

    /// <summary>The watched file, or <see langword="null"/>.</summary>
    public string? PolicyFile => _path;

    /// <summary>Reads the policy file again and applies it if it loads. The watcher calls this too.</summary>
    /// <returns>What happened.</returns>
    /// <exception cref="InvalidOperationException">The reloader has no policy file.</exception>
    public PolicyReloadResult Reload()
    {
        var path = _path ?? throw new InvalidOperationException("This reloader has no policy file; set PolicyReloaderOptions.PolicyFile, or call Apply with the policy text.");
        long generation;
        string text;
        lock (_reloadLock)
        {
            // Read under the lock, so that a later number always means text read later.
            generation = ++_readGeneration;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var error = new PolicyError("PL000", $"The policy file could not be read ({ex.Message}); fix the file or its permissions. The last good policy stays in force.", string.Empty, 0, 0, path);
                return Reject([error]);
            }
        }

        AfterRead?.Invoke();
        return Apply(Policy.Load(text, path, _loadOptions), generation);
    }

    /// <summary>Loads a policy text and applies it if it loads.</summary>
    /// <param name="json">The policy text.</param>
    /// <param name="source">A name for error messages, normally the file path.</param>
    /// <returns>What happened.</returns>
    public PolicyReloadResult Apply(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Apply(Policy.Load(json, source ?? _path, _loadOptions));
    }

    /// <summary>Applies an already loaded policy, or rejects it with its errors.</summary>
    /// <param name="loaded">The result of loading the new text.</param>
    /// <returns>What happened.</returns>
    public PolicyReloadResult Apply(PolicyLoadResult loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return Apply(loaded, generation: null);
    }

    /// <summary>Loads (reading any file) and applies, numbered like a file reload: how an options change reloads.</summary>
    /// <param name="load">Loads the policy; called under the reload lock, so its read is ordered with every other.</param>
    /// <returns>What happened.</returns>
    internal PolicyReloadResult ReloadFrom(Func<PolicyLoadResult> load)
    {
        long generation;
        PolicyLoadResult loaded;
        lock (_reloadLock)
        {
            generation = ++_readGeneration;
            loaded = load();
        }

        return Apply(loaded, generation);
    }

    /// <summary>Called after <see cref="Reload()"/> has read the file and before it parses it (tests use it to overlap reloads).</summary>
    internal Action? AfterRead { get; set; }

    // generation: the number the reload got when it read its text; null for text handed to Apply, which is the newest
    // there is when it is applied.
    private PolicyReloadResult Apply(PolicyLoadResult loaded, long? generation)
    {
        if (loaded.Policy is not { } next)
        {
            return Reject(loaded.Errors);
        }

        PolicyReloadResult result;
        Policy? replaced;
        lock (_reloadLock)
        {
            var current = _authorizer.Policy;
            var number = generation ?? ++_readGeneration;
            if (number < _appliedGeneration)
            {
                // A reload that read its text later was applied while this one parsed: this text is older.
                LogSuperseded(_logger, next.Source ?? "(text)", next.Revision, current?.Revision ?? "(none)");
                PolicyLayerTelemetry.Reloads.Add(1, new KeyValuePair<string, object?>(PolicyLayerTelemetry.ReloadResultTag, "unchanged"));
                return new PolicyReloadResult(PolicyReloadStatus.Unchanged, current, [], []);
            }

            _appliedGeneration = number;
            if (current is not null && current.Revision == next.Revision)
            {
                PolicyLayerTelemetry.Reloads.Add(1, new KeyValuePair<string, object?>(PolicyLayerTelemetry.ReloadResultTag, "unchanged"));
                return new PolicyReloadResult(PolicyReloadStatus.Unchanged, current, [], []);
            }

            var restarted = RestartedCounters(current, next);
            replaced = _authorizer.SwapPolicy(next);
            LogApplied(_logger, next.Source ?? "(text)", current?.Revision ?? "(none)", next.Revision, next.Mode == PolicyMode.Shadow ? "shadow" : "enforce");
            PolicyLayerTelemetry.Reloads.Add(1, new KeyValuePair<string, object?>(PolicyLayerTelemetry.ReloadResultTag, "applied"));
            result = new PolicyReloadResult(PolicyReloadStatus.Applied, next, [], restarted);
        }

        // Told after the lock is released: a listener that waits for another reload (or calls Reload itself on another
        // thread) cannot deadlock on it. Two reloads may then tell out of order; each event names the policy it replaced.
        _authorizer.RaisePolicyChanged(replaced, next);
        return result;
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private PolicyReloadResult Reject(IReadOnlyList<PolicyError> errors)
    {
        var current = _authorizer.Policy;
        foreach (var error in errors)
        {
            LogRejectedError(_logger, error.Source ?? _path ?? "(text)", error.Line, error.Column, error.Code, error.Pointer.Length == 0 ? "/" : error.Pointer, error.Message);
        }

        LogRejected(_logger, errors.Count, current?.Revision ?? "(none)");
        PolicyLayerTelemetry.Reloads.Add(1, new KeyValuePair<string, object?>(PolicyLayerTelemetry.ReloadResultTag, "rejected"));
        return new PolicyReloadResult(PolicyReloadStatus.Rejected, current, errors, []);
    }

    /// <summary>Counters of the old policy whose definition changed or which the new policy no longer has.</summary>
    private List<string> RestartedCounters(Policy? current, Policy next)
    {
        var restarted = new List<string>();
        if (current is null)
        {
            return restarted;
        }

        foreach (var (name, old) in current.Counters)
        {
            if (!next.Counters.TryGetValue(name, out var now))
            {
                LogCounterRemoved(_logger, name);
                restarted.Add(name);
            }
            else if (!old.Equals(now))
            {
                LogCounterChanged(_logger, name, old.ToString(), now.ToString());
                restarted.Add(name);
            }
        }

        return restarted;
    }

    /// <summary>Starts a watcher; when the platform refuses one (Linux's inotify limit, say) the policy still reloads on <see cref="Reload"/>.</summary>
    /// <remarks>
    /// It watches every name in the folder, not only the file's: a Kubernetes ConfigMap mounts the file as a symbolic
    /// link through <c>..data</c>, and an update swaps that link atomically, raising no event for the file's own name.
    /// </remarks>
    private FileSystemWatcher? TryWatch(string path)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or ArgumentException)
        {
            watcher?.Dispose();
            LogWatchFailed(_logger, path, ex);
            return null;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (Volatile.Read(ref _disposed) == 0 && Concerns(e))
        {
            // Restart the debounce: the reload runs once the file has been quiet for the debounce time.
            _timer?.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Whether an event in the folder may have changed the policy: it names the file, or the file is a symbolic link,
    /// whose target (or a link on the way to it, as a ConfigMap's <c>..data</c>) any other name in the folder may be.
    /// A reload that finds the revision in force changes nothing and logs nothing.
    /// </summary>
    private bool Concerns(FileSystemEventArgs e)
    {
        var name = Path.GetFileName(_path);
        if (string.Equals(e.Name, name, StringComparison.Ordinal) || (e is RenamedEventArgs renamed && string.Equals(renamed.OldName, name, StringComparison.Ordinal)))
        {
            return true;
        }

        try
        {
            return new FileInfo(_path!).LinkTarget is not null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void OnDebounced()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (!File.Exists(_path))
        {
            // Deleted (or a link to nothing): nothing to load. Say so, rather than keep the old policy silently.
            LogFileMissing(_logger, _path!, _authorizer.Policy?.Revision ?? "(none)");
            return;
        }

        Reload();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Policy reloaded from {Source}: revision {OldRevision} -> {NewRevision} (mode {Mode})")]
    private static partial void LogApplied(ILogger logger, string source, string oldRevision, string newRevision, string mode);

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "Policy reload rejected: {Source}:{Line}:{Column}: error {Code}: {ErrorMessage} (at {Pointer})")]
    private static partial void LogRejectedError(ILogger logger, string source, int line, int column, string code, string pointer, string errorMessage);

    [LoggerMessage(EventId = 42, Level = LogLevel.Error, Message = "Policy reload rejected with {Count} errors; the last good policy (revision {Revision}) stays in force")]
    private static partial void LogRejected(ILogger logger, int count, string revision);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Counter '{Counter}' changed from {Old} to {New}; it counts in the new definition's budgets, empty unless that definition was in force within its window")]
    private static partial void LogCounterChanged(ILogger logger, string counter, string old, string @new);

    [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "The policy file {Path} cannot be watched; it is reloaded only when PolicyReloader.Reload is called")]
    private static partial void LogWatchFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 46, Level = LogLevel.Information, Message = "Policy reload from {Source} (revision {Revision}) skipped: a reload that read the policy later was applied first, and revision {CurrentRevision} stays in force")]
    private static partial void LogSuperseded(ILogger logger, string source, string revision, string currentRevision);

    [LoggerMessage(EventId = 47, Level = LogLevel.Warning, Message = "The policy file {Path} is gone (deleted, or a link to nothing); the last good policy (revision {Revision}) stays in force until the file is back")]
    private static partial void LogFileMissing(ILogger logger, string path, string revision);

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "Counter '{Counter}' is no longer defined; its budgets are no longer consulted")]
    private static partial void LogCounterRemoved(ILogger logger, string counter);
}
