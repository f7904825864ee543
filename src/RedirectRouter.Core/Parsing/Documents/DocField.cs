namespace RedirectRouter.Core.Parsing.Documents;

/// <summary>
/// One key of a mapping as a parser reads it: the mapping (where a missing key is reported), the key, the key path of
/// the mapping, and the value (null when the key is absent or null).
/// </summary>
internal readonly record struct DocField(DocMapping Mapping, string Parent, string Key, DocNode? Node)
{
    /// <summary>The key path of the value: "homes[0]" + "name" = "homes[0].name".</summary>
    public string Path => DocReader.Path(Parent, Key);
}
