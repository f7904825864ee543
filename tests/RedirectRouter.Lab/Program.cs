using RedirectRouter.Lab;

// rr-lab up | down | show [PREFIX] | bench-netlink [COUNT] [ROUNDS]
var verb = args.Length > 0 ? args[0] : "help";
var prefix = args.Length > 1 && verb is "up" or "down" or "show" ? args[1] : "rrlab-";
try
{
    switch (verb)
    {
        case "up":
            var lab = LabTopology.Up(prefix, Console.Out);
            foreach (var host in lab.All)
            {
                host.Handle.Dispose();
            }

            return 0;
        case "down":
            LabTopology.Down(prefix, Console.Out);
            return 0;
        case "show":
            LabTopology.Show(prefix, Console.Out);
            return 0;
        case "bench-netlink":
            return NetlinkBenchmark.Run(
                args.Length > 1 ? int.Parse(args[1]) : 10_000,
                args.Length > 2 ? int.Parse(args[2]) : 5,
                Console.Out);
        default:
            Console.Error.WriteLine("usage: rr-lab up|down|show [PREFIX] | bench-netlink [COUNT] [ROUNDS]");
            return 2;
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"rr-lab {verb}: {e.Message}");
    return 1;
}
