namespace RedirectRouter.Agent;

/// <summary>Anchors the assembly for tests and reflection-free lookups.</summary>
public static class AssemblyMarker
{
}
