namespace RedirectRouter.Agent.Supervision;

/// <summary>
/// Watches a configuration file for changes, including the symlink swap a mounted ConfigMap uses
/// (the file is a link into <c>..data</c>, which is replaced as a whole): the file's directory is watched,
/// not the file.
/// </summary>
public sealed class ConfigFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;

    /// <summary>Calls <paramref name="changed"/> whenever anything in the file's directory changes.</summary>
    public ConfigFileWatcher(string path, Action changed)
    {
        var full = Path.GetFullPath(path);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => changed();
        _watcher.Created += (_, _) => changed();
        _watcher.Deleted += (_, _) => changed();
        _watcher.Renamed += (_, _) => changed();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Stops watching.</summary>
    public void Dispose() => _watcher.Dispose();
}
