using System.Globalization;

namespace RedirectRouter.Core.Model;

/// <summary>
/// A routing table id: the main table (254), or the table the planner gives home i when there are several homes.
/// The planned routes and rules still carry the plain id, which is what the kernel and the diagnosis speak.
/// </summary>
public readonly record struct RouteTable(int Id)
{
    /// <summary>The id of the main table.</summary>
    public const int MainId = 254;

    /// <summary>Home i has table FirstHomeId + i (multi-home only).</summary>
    public const int FirstHomeId = 100;

    /// <summary>The main table.</summary>
    public static RouteTable Main => new(MainId);

    /// <summary>The table of home <paramref name="index"/> when there are several homes.</summary>
    public static RouteTable ForHome(int index) => new(FirstHomeId + index);

    /// <summary>Whether this is the main table.</summary>
    public bool IsMain => Id == MainId;

    /// <summary>"main" for the main table, else the number (as ip route prints it).</summary>
    public override string ToString() => IsMain ? "main" : Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The plain id.</summary>
    public static implicit operator int(RouteTable table) => table.Id;
}
