using System.Diagnostics;
using RedirectRouter.Agent.Inputs;

namespace RedirectRouter.Agent.Tests.Inputs;

/// <summary>Input files on the real file system: only regular files of bounded size, read without blocking, resolved inside a root when asked.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BoundedFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rr-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ARegularFileIsReadAndASymbolicLinkToOneIsFollowed()
    {
        var file = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(file, "\uFEFFhomes: []\n");
        // A ConfigMap key: a link into ..data, itself a link to the current version.
        Directory.CreateDirectory(Path.Combine(_dir, "v1"));
        File.Move(file, Path.Combine(_dir, "v1", "config.yaml"));
        File.CreateSymbolicLink(Path.Combine(_dir, "..data"), "v1");
        File.CreateSymbolicLink(file, "..data/config.yaml");

        Assert.Equal("homes: []\n", BoundedFile.ReadText(file));
    }

    [Fact]
    public void AFifoADeviceADirectoryAndAHugeFileAreRefusedAtOnceNamingTheFile()
    {
        var fifo = Path.Combine(_dir, "fifo");
        TestSupport.TestNamespace.Run("mkfifo", [fifo]);
        var huge = Path.Combine(_dir, "huge");
        using (var stream = File.Create(huge))
        {
            stream.SetLength(100L * 1024 * 1024);
        }

        foreach (var (path, reason) in new[]
        {
            (fifo, "not a regular file (a FIFO)"),
            ("/dev/zero", "not a regular file (a character device)"),
            (_dir, "not a regular file (a directory)"),
            (huge, "104857600 bytes, more than the limit of 8388608 bytes"),
        })
        {
            var clock = Stopwatch.StartNew();
            var error = Assert.Throws<InputFileException>(() => BoundedFile.Read(path));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{path} took {clock.Elapsed}");
            Assert.Equal($"{path}: {reason}", error.Message);
        }

        Assert.Throws<FileNotFoundException>(() => BoundedFile.Read(Path.Combine(_dir, "missing")));
        var limited = Path.Combine(_dir, "limited");
        File.WriteAllText(limited, new string('x', 101));
        Assert.Contains("101 bytes, more than the limit of 100 bytes", Assert.Throws<InputFileException>(() => BoundedFile.Read(limited, 100)).Message);
        Assert.Equal(101, BoundedFile.Read(limited, 101).Length);
    }

    [Fact]
    public void InsideARootAnAbsoluteLinkOrDotDotNeverLeadsOut()
    {
        // The "node" file that a pod's link points at, and the pod's own root.
        var node = Path.Combine(_dir, "node-secret");
        File.WriteAllText(node, "node\n");
        var root = Path.Combine(_dir, "root");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.CreateSymbolicLink(Path.Combine(root, "etc", "absolute"), node);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "climbing"), "../../node-secret");
        File.WriteAllText(Path.Combine(root, "etc", "own"), "pod\n");
        File.CreateSymbolicLink(Path.Combine(root, "etc", "relative"), "own");
        // The same absolute path inside the root: that is what the pod itself sees there.
        Directory.CreateDirectory(Path.Combine(root, _dir.TrimStart('/')));
        File.WriteAllText(Path.Combine(root, _dir.TrimStart('/'), "node-secret"), "pod's view\n");

        Assert.Equal("pod\n", BoundedFile.Decode(BoundedFile.ReadInRoot(root, "/etc/relative")));
        Assert.Equal("pod's view\n", BoundedFile.Decode(BoundedFile.ReadInRoot(root, "/etc/absolute")));
        Assert.Throws<InputFileException>(() => BoundedFile.ReadInRoot(root, "/etc/climbing"));
        Assert.Throws<InputFileException>(() => BoundedFile.ReadInRoot(root, "../node-secret"));
        var fifo = Path.Combine(root, "etc", "fifo");
        TestSupport.TestNamespace.Run("mkfifo", [fifo]);
        Assert.Contains("FIFO", Assert.Throws<InputFileException>(() => BoundedFile.ReadInRoot(root, "/etc/fifo")).Message);

        // Without openat2 (old kernels) the walk refuses the links that would leave the root.
        Assert.Equal("pod\n", BoundedFile.Decode(BoundedFile.ReadInRootByWalking(root, "/etc/relative")));
        Assert.Contains("leads outside", Assert.Throws<InputFileException>(() => BoundedFile.ReadInRootByWalking(root, "/etc/absolute")).Message);
        Assert.Contains("climbs above", Assert.Throws<InputFileException>(() => BoundedFile.ReadInRootByWalking(root, "/etc/climbing")).Message);
    }
}
