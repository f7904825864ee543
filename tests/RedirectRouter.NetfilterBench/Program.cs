using System.Globalization;
using RedirectRouter.NetfilterBench;

// rr-netfilter-bench run [ROUNDS] [SECONDS] [BACKENDS]   (as root: builds namespaces, prints figures)
// rr-netfilter-bench native [ROUNDS]                     (as root: nf_tables natively vs nft, 10,000 map elements)
// rr-netfilter-bench crr-server ADDRESS PORT LIFETIME     (inside the destination namespace)
// rr-netfilter-bench crr-client ADDRESS PORT SECONDS      (inside the client namespace)
var verb = args.Length > 0 ? args[0] : "help";
try
{
    switch (verb)
    {
        case "run":
            return await Benchmark.RunAsync(
                args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3,
                args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 3,
                args.Length > 3 ? args[3].Split(',') : [Benchmark.Nft, Benchmark.NftTool, Benchmark.IptNft, Benchmark.IptLegacy],
                Console.Out);
        case "native":
            return NativeElements.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5, Console.Out);
        case "crr-server" when args.Length == 4:
            await ConnectionRate.ServeAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture)));
            return 0;
        case "crr-client" when args.Length == 4:
            Console.WriteLine(ConnectionRate.Measure(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture))).ToString(CultureInfo.InvariantCulture));
            return 0;
        default:
            Console.Error.WriteLine("usage: rr-netfilter-bench run [ROUNDS] [SECONDS] [BACKENDS] | native [ROUNDS] | crr-server ADDRESS PORT LIFETIME | crr-client ADDRESS PORT SECONDS");
            return 2;
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"rr-netfilter-bench {verb}: {e}");
    return 1;
}
