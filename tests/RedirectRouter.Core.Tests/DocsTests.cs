using RedirectRouter.Core.Diagnostics;
using RedirectRouter.Core.Parsing;

namespace RedirectRouter.Core.Tests;

/// <summary>docs/config.md must list every diagnostic code, and its examples must be valid.</summary>
public sealed class DocsTests
{
    private static string ConfigDoc()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RedirectRouter.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        return File.ReadAllText(Path.Combine(directory.FullName, "docs", "config.md"));
    }

    [Fact]
    public void EveryCodeIsInTheTableWithItsSeverity()
    {
        var doc = ConfigDoc();
        foreach (var (code, severity, _) in DiagnosticCodes.All)
        {
            Assert.Contains($"| {code} | {severity.ToString().ToLowerInvariant()} |", doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CodesAreUnique()
    {
        Assert.Equal(DiagnosticCodes.All.Count, DiagnosticCodes.All.Select(c => c.Code).Distinct().Count());
    }

    [Fact]
    public void YamlExamplesInTheDocAreValid()
    {
        var doc = ConfigDoc();
        var blocks = doc.Split("```yaml\n").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToList();
        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var result = ConfigLoader.LoadFile(block, "doc.yaml");
            Assert.True(!result.HasErrors, string.Join('\n', result.Diagnostics));
        }
    }
}
