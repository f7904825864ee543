using RedirectRouter.Core.Model;
using RedirectRouter.Core.Planning;

namespace RedirectRouter.Core.Tests.Model;

public sealed class RouteTableTests
{
    [Fact]
    public void MainIsTheKernelsTable254AndNamedMain()
    {
        Assert.Equal(254, (int)RouteTable.Main);
        Assert.True(RouteTable.Main.IsMain);
        Assert.Equal("main", RouteTable.Main.ToString());
        Assert.Equal(RouteTable.MainId, Planner.MainTable);
    }

    [Fact]
    public void HomeTablesStartAt100AndAreNamedByNumber()
    {
        Assert.Equal([100, 101, 102], Enumerable.Range(0, 3).Select(i => (int)RouteTable.ForHome(i)));
        Assert.False(RouteTable.ForHome(0).IsMain);
        Assert.Equal("101", RouteTable.ForHome(1).ToString());
        Assert.Equal(RouteTable.FirstHomeId, Planner.FirstHomeTable);
    }
}
