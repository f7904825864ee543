using System.Globalization;
using System.Text;
using Tmds.Linux;

namespace RedirectRouter.Agent.Inputs;

/// <summary>
/// Reads an input file (a configuration, a destination list) safely: it must be a regular file (symbolic links
/// are followed, as a ConfigMap mount needs), at most <see cref="DefaultLimit"/> bytes; it is opened
/// non-blocking (a FIFO cannot hang the reader) and judged by fstat on the open descriptor, then read once.
/// A file of another process's root (<c>/proc/PID/root</c>) is resolved inside that root, so its symbolic
/// links cannot lead to files of the node.
/// </summary>
public static class BoundedFile
{
    /// <summary>The largest input file read (a native config of tens of thousands of rules fits).</summary>
    public const long DefaultLimit = 8 * 1024 * 1024;

    private const int SysOpenat2 = 437; // x86_64, arm64 and every architecture since 5.6 share the number
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveInRoot = 0x10;
    private const int ENOSYS = 38;
    private const int EAGAIN = 11;
    private const int EINTR = 4;

    /// <summary>The file's bytes.</summary>
    /// <exception cref="InputFileException">It is not a regular file, too large, or cannot be opened.</exception>
    public static byte[] Read(string path, long limit = DefaultLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = Open(LibC.AT_FDCWD, path, resolve: 0, out var errno);
        if (fd < 0)
        {
            // Missing is its own kind: a reload sees it for a moment while a ConfigMap is swapped.
            throw errno == 2 ? new FileNotFoundException($"{path}: no such file", path) : new InputFileException(path, Describe(errno));
        }

        return ReadOpen(fd, path, limit);
    }

    /// <summary>The file as text (UTF-8, a byte-order mark skipped, as <see cref="File.ReadAllText(string)"/>).</summary>
    public static string ReadText(string path, long limit = DefaultLimit) => Decode(Read(path, limit));

    /// <summary>Decodes bytes read by this class the way <see cref="ReadText"/> does.</summary>
    public static string Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Reads <paramref name="path"/> as a process whose root is <paramref name="root"/> sees it (an absolute
    /// symbolic link or <c>..</c> never leads out of it): openat2 with RESOLVE_IN_ROOT, or, on kernels without
    /// it, a walk that refuses any link leading outside.
    /// </summary>
    public static byte[] ReadInRoot(string root, string path, long limit = DefaultLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var shown = $"{path} (in {root})";
        var rootFd = Open(LibC.AT_FDCWD, root, resolve: 0, out var errno, directory: true);
        if (rootFd < 0)
        {
            throw new InputFileException(shown, Describe(errno));
        }

        try
        {
            var relative = path.TrimStart('/');
            var fd = Open(rootFd, relative.Length == 0 ? "." : relative, ResolveInRoot | ResolveNoMagicLinks, out errno);
            if (fd < 0 && errno == ENOSYS)
            {
                fd = OpenWalking(rootFd, root, relative, shown);
            }
            else if (fd < 0)
            {
                throw new InputFileException(shown, Describe(errno));
            }

            return ReadOpen(fd, shown, limit);
        }
        finally
        {
            _ = LibC.close(rootFd);
        }
    }

    /// <summary>What <see cref="ReadInRoot"/> does on a kernel without openat2 (for tests).</summary>
    internal static byte[] ReadInRootByWalking(string root, string path, long limit = DefaultLimit)
    {
        var shown = $"{path} (in {root})";
        var rootFd = Open(LibC.AT_FDCWD, root, resolve: 0, out var errno, directory: true);
        if (rootFd < 0)
        {
            throw new InputFileException(shown, Describe(errno));
        }

        try
        {
            return ReadOpen(OpenWalking(rootFd, root, path.TrimStart('/'), shown), shown, limit);
        }
        finally
        {
            _ = LibC.close(rootFd);
        }
    }

    // Without openat2: resolve the path by hand below the root, refusing any symbolic link that is absolute or
    // climbs above the root, then open the result without following a last link.
    private static int OpenWalking(int rootFd, string root, string relative, string shown)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new InputFileException(shown, "the path climbs above the process's root");
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            var here = Path.Combine(root, string.Join('/', resolved.Append(part)));
            var info = new FileInfo(here);
            if (info.LinkTarget is { } target)
            {
                if (++links > 40)
                {
                    throw new InputFileException(shown, "too many symbolic links");
                }

                if (target.StartsWith('/'))
                {
                    throw new InputFileException(shown, $"the symbolic link {string.Join('/', resolved.Append(part))} -> {target} leads outside the process's root");
                }

                foreach (var next in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(next);
                }

                continue;
            }

            resolved.Add(part);
        }

        const int ONoFollow = 0x20000;
        var fd = OpenAt(rootFd, resolved.Count == 0 ? "." : string.Join('/', resolved), ONoFollow, out var errno);
        return fd >= 0 ? fd : throw new InputFileException(shown, Describe(errno));
    }

    private static unsafe int Open(int dirFd, string path, ulong resolve, out int errno, bool directory = false)
    {
        var flags = LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY | (directory ? LibC.O_DIRECTORY : 0);
        if (resolve == 0)
        {
            return OpenAt(dirFd, path, directory ? LibC.O_DIRECTORY : 0, out errno);
        }

        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var how = new open_how { flags = (ulong)flags, mode = 0, resolve = resolve };
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = (long)LibC.syscall(SysOpenat2, dirFd, p, &how, sizeof(open_how));
                errno = fd < 0 ? LibC.errno : 0;
                if (fd >= 0 || errno != EINTR)
                {
                    return (int)fd;
                }
            }
        }
    }

    private static unsafe int OpenAt(int dirFd, string path, int extraFlags, out int errno)
    {
        var flags = LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY | extraFlags;
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = LibC.openat(dirFd, p, flags, 0);
                errno = fd < 0 ? LibC.errno : 0;
                if (fd >= 0 || errno != EINTR)
                {
                    return fd;
                }
            }
        }
    }

    private static unsafe byte[] ReadOpen(int fd, string shown, long limit)
    {
        try
        {
            stat status;
            if (LibC.fstat(fd, &status) != 0)
            {
                throw new InputFileException(shown, Describe(LibC.errno));
            }

            var kind = (uint)status.st_mode & 0xF000;
            if (kind != 0x8000)
            {
                throw new InputFileException(shown, $"not a regular file (a {KindName(kind)})");
            }

            var size = (long)status.st_size;
            if (size > limit)
            {
                throw new InputFileException(shown, string.Create(CultureInfo.InvariantCulture, $"{size} bytes, more than the limit of {limit} bytes"));
            }

            // One byte more than allowed tells a file that grew since fstat from one that did not.
            var buffer = new byte[Math.Min(limit + 1, Math.Max(size + 1, 4096))];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw new InputFileException(shown, string.Create(CultureInfo.InvariantCulture, $"more than the limit of {limit} bytes"));
                    }

                    Array.Resize(ref buffer, (int)Math.Min(limit + 1, (long)buffer.Length * 2));
                }

                long read;
                fixed (byte* p = &buffer[length])
                {
                    read = (long)LibC.read(fd, p, buffer.Length - length);
                }

                if (read < 0)
                {
                    var errno = LibC.errno;
                    if (errno is EINTR)
                    {
                        continue;
                    }

                    throw new InputFileException(shown, errno == EAGAIN ? "it would block" : Describe(errno));
                }

                if (read == 0)
                {
                    break;
                }

                length += (int)read;
            }

            if (length > limit)
            {
                throw new InputFileException(shown, string.Create(CultureInfo.InvariantCulture, $"more than the limit of {limit} bytes"));
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            _ = LibC.close(fd);
        }
    }

    private static string KindName(uint kind) => kind switch
    {
        0x4000 => "directory",
        0x1000 => "FIFO",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        _ => "special file",
    };

    private static string Describe(int errno) => errno switch
    {
        2 => "no such file",
        13 => "permission denied",
        18 => "a symbolic link leads outside the process's root",
        20 => "a path component is not a directory",
        21 => "a directory",
        40 => "too many symbolic links",
        _ => $"cannot be opened (errno {errno})",
    };
}

/// <summary>An input file that is not safe or possible to read: not a regular file, too large, missing.</summary>
public sealed class InputFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public InputFileException(string path, string reason) : base($"{path}: {reason}") => FilePath = path;

    /// <summary>Creates the exception.</summary>
    public InputFileException() : this("", "cannot be read")
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputFileException(string message, Exception innerException) : base(message, innerException) => FilePath = "";

    /// <summary>The file, as given.</summary>
    public string FilePath { get; }
}
