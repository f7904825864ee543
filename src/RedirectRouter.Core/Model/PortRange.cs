using System.Globalization;

namespace RedirectRouter.Core.Model;

/// <summary>An inclusive port range; a single port has <see cref="First"/> == <see cref="Last"/>.</summary>
/// <param name="First">The first port.</param>
/// <param name="Last">The last port.</param>
public readonly record struct PortRange(int First, int Last)
{
    /// <summary>A range holding one port.</summary>
    public static PortRange Single(int port) => new(port, port);

    /// <summary>How many ports the range holds.</summary>
    public int Width => Last - First + 1;

    /// <summary>Whether the range is one port.</summary>
    public bool IsSinglePort => First == Last;

    /// <summary>Whether two ranges share at least one port.</summary>
    public bool Overlaps(PortRange other) => First <= other.Last && other.First <= Last;

    /// <summary>"80" or "8000-8010", the form the native config accepts.</summary>
    public override string ToString() =>
        IsSinglePort
            ? First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
