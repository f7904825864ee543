namespace RedirectRouter.Netfilter;

/// <summary>Anchors the assembly for tests and reflection-free lookups.</summary>
public static class AssemblyMarker
{
}
