using RedirectRouter.Lab;

// rr-lab up | down | show | bench-netlink [COUNT] [ROUNDS]
var verb = args.Length > 0 ? args[0] : "help";
try
{
    switch (verb)
    {
        case "up":
            LabTopology.Up(Console.Out);
            LabTopology.Show(Console.Out);
            return 0;
        case "down":
            LabTopology.Down(Console.Out);
            return 0;
        case "show":
            LabTopology.Show(Console.Out);
            return 0;
        case "bench-netlink":
            return NetlinkBenchmark.Run(
                args.Length > 1 ? int.Parse(args[1]) : 10_000,
                args.Length > 2 ? int.Parse(args[2]) : 5,
                Console.Out);
        default:
            Console.Error.WriteLine("usage: rr-lab up | down | show | bench-netlink [COUNT] [ROUNDS]");
            return 2;
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"rr-lab {verb}: {e.Message}");
    return 1;
}
