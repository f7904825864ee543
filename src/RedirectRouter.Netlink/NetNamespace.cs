using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace RedirectRouter.Netlink;

/// <summary>
/// An open network namespace (a file descriptor of an nsfs file). Linux switches namespaces per
/// thread, so anything that must happen inside another namespace runs on a dedicated thread that is
/// thrown away afterwards (<see cref="Run{T}"/>); the thread pool and awaiting code never call <c>setns</c>.
/// </summary>
public sealed class NetNamespace : IDisposable
{
    /// <summary>Where <c>ip netns</c> keeps named namespaces.</summary>
    public const string NamedNamespaceDirectory = "/run/netns";

    private readonly SafeFileHandle _handle;

    private NetNamespace(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The path this namespace was opened from.</summary>
    public string Path { get; }

    /// <summary>The descriptor, valid until <see cref="Dispose"/>.</summary>
    public int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>
    /// The namespace's identity (the nsfs inode, as in <c>net:[4026531992]</c>); two handles with the same
    /// id name the same namespace.
    /// </summary>
    public unsafe string Id
    {
        get
        {
            // A bind-mounted namespace reads back as its mount path, so ask fstat for the nsfs inode instead.
            stat status;
            if (LibC.fstat(Fd, &status) != 0)
            {
                throw new NetlinkException(LibC.errno, $"fstat({Path})");
            }

            return $"net:[{(ulong)status.st_ino}]";
        }
    }

    /// <summary>Opens a namespace file such as <c>/proc/1/ns/net</c> or a bind mount of one.</summary>
    public static NetNamespace OpenPath(string path)
    {
        try
        {
            return new NetNamespace(File.OpenHandle(path, FileMode.Open, FileAccess.Read), path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NetlinkException(Errors.ENOENT, $"open network namespace {path}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NetlinkException(Errors.EACCES, $"open network namespace {path}", inner: e);
        }
    }

    /// <summary>Opens a namespace by its <c>ip netns</c> name (<c>/run/netns/NAME</c>).</summary>
    public static NetNamespace OpenName(string name) => OpenPath(NamedPath(name));

    /// <summary>Opens the namespace of process <paramref name="pid"/> (<c>/proc/PID/ns/net</c>).</summary>
    public static NetNamespace OpenPid(int pid) => OpenPath($"/proc/{pid}/ns/net");

    /// <summary>Opens the calling thread's namespace.</summary>
    public static NetNamespace OpenCurrent() => OpenPath("/proc/thread-self/ns/net");

    /// <summary>The names under <c>/run/netns</c>, as <c>ip netns list</c>.</summary>
    public static IReadOnlyList<string> ListNames() =>
        Directory.Exists(NamedNamespaceDirectory)
            ? Directory.GetFiles(NamedNamespaceDirectory).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Runs <paramref name="action"/> on a new thread that has entered this namespace, and waits for it.</summary>
    public T Run<T>(Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            // The thread dies after the action, so it never needs to switch back: no other code can
            // run on it in the wrong namespace. A thread already in this namespace (it starts in its
            // creator's) does not call setns, which needs CAP_SYS_ADMIN even to enter the namespace one is
            // in: the agent in its own namespace runs with NET_ADMIN and NET_RAW only.
            if (!IsCurrentThreadsNamespace() && LibC.setns(Fd, LibC.CLONE_NEWNET) != 0)
            {
                failure = ExceptionDispatchInfo.Capture(new NetlinkException(LibC.errno, $"setns({Path})"));
                return;
            }

            try
            {
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private bool IsCurrentThreadsNamespace()
    {
        try
        {
            using var current = OpenCurrent();
            return current.Id == Id;
        }
        catch (NetlinkException)
        {
            return false; // then setns decides
        }
    }

    /// <summary>Runs <paramref name="action"/> on a new thread inside this namespace, and waits for it.</summary>
    public void Run(Action action) => Run(() =>
    {
        action();
        return true;
    });

    /// <summary>Creates a named namespace, as <c>ip netns add NAME</c>, and opens it.</summary>
    public static unsafe NetNamespace Create(string name)
    {
        var path = NamedPath(name);
        Directory.CreateDirectory(NamedNamespaceDirectory);
        MakeRunDirectoryShared();
        using (File.Open(path, FileMode.CreateNew, FileAccess.Write))
        {
            // An empty file is the mount point for the namespace's bind mount.
        }

        try
        {
            RunOnFreshThread(() =>
            {
                if (LibC.unshare(LibC.CLONE_NEWNET) != 0)
                {
                    throw new NetlinkException(LibC.errno, $"unshare(CLONE_NEWNET) for {name}");
                }

                Mount($"/proc/thread-self/ns/net", path, LibC.MS_BIND, $"bind-mount the new namespace to {path}");
            });
            return OpenPath(path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Deletes a named namespace, as <c>ip netns del NAME</c>; a missing one is not an error.</summary>
    public static unsafe void Delete(string name)
    {
        var path = NamedPath(name);
        if (!File.Exists(path))
        {
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* target = bytes)
        {
            // MNT_DETACH as ip does: the namespace lives on while processes or sockets still use it.
            if (LibC.umount2(target, LibC.MNT_DETACH) != 0 && LibC.errno != Errors.EINVAL)
            {
                throw new NetlinkException(LibC.errno, $"umount {path}");
            }
        }

        File.Delete(path);
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() => Path;

    private static string NamedPath(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a valid network namespace name", nameof(name));
        }

        return $"{NamedNamespaceDirectory}/{name}";
    }

    private static void MakeRunDirectoryShared()
    {
        // Same dance as iproute2: /run/netns must be a shared mount so namespace mounts propagate to
        // other mount namespaces; if it is not a mount point yet, bind it onto itself first.
        if (TryMount("", NamedNamespaceDirectory, LibC.MS_SHARED | LibC.MS_REC))
        {
            return;
        }

        if (LibC.errno != Errors.EINVAL)
        {
            throw new NetlinkException(LibC.errno, $"make {NamedNamespaceDirectory} a shared mount");
        }

        Mount(NamedNamespaceDirectory, NamedNamespaceDirectory, LibC.MS_BIND | LibC.MS_REC, $"bind {NamedNamespaceDirectory} onto itself");
        Mount("", NamedNamespaceDirectory, LibC.MS_SHARED | LibC.MS_REC, $"make {NamedNamespaceDirectory} a shared mount");
    }

    private static void Mount(string source, string target, ulong flags, string what)
    {
        if (!TryMount(source, target, flags))
        {
            throw new NetlinkException(LibC.errno, what);
        }
    }

    private static unsafe bool TryMount(string source, string target, ulong flags)
    {
        var sourceBytes = System.Text.Encoding.UTF8.GetBytes(source + "\0");
        var targetBytes = System.Text.Encoding.UTF8.GetBytes(target + "\0");
        var typeBytes = "none\0"u8.ToArray();
        fixed (byte* s = sourceBytes, t = targetBytes, f = typeBytes)
        {
            return LibC.mount(s, t, f, (ulong_t)flags, null) == 0;
        }
    }

    private static void RunOnFreshThread(Action action)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns-create",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
    }
}
