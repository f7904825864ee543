namespace RedirectRouter.Core.Model;

/// <summary>The words the inputs use for enumerations (case-insensitive), and the canonical spellings written back.</summary>
public static class EnumWords
{
    /// <summary>The hint given with a macvlan mode that is not known.</summary>
    public const string MacvlanModeHint = "use bridge, private, vepa or passthru";

    /// <summary>Parses bridge, private, vepa or passthru (any case).</summary>
    public static bool TryParseMacvlanMode(string text, out MacvlanMode mode)
    {
        switch (text.ToLowerInvariant())
        {
            case "bridge": mode = MacvlanMode.Bridge; return true;
            case "private": mode = MacvlanMode.Private; return true;
            case "vepa": mode = MacvlanMode.Vepa; return true;
            case "passthru": mode = MacvlanMode.Passthru; return true;
            default: mode = MacvlanMode.Private; return false;
        }
    }

    /// <summary>Parses tcp, udp or sctp (any case).</summary>
    public static bool TryParseProtocol(string text, out Protocol protocol)
    {
        switch (text.ToLowerInvariant())
        {
            case "tcp": protocol = Protocol.Tcp; return true;
            case "udp": protocol = Protocol.Udp; return true;
            case "sctp": protocol = Protocol.Sctp; return true;
            default: protocol = Protocol.Tcp; return false;
        }
    }

    /// <summary>Parses auto, iptables or nftables (any case).</summary>
    public static bool TryParseBackend(string text, out NetfilterBackend backend)
    {
        switch (text.ToLowerInvariant())
        {
            case "auto": backend = NetfilterBackend.Auto; return true;
            case "iptables": backend = NetfilterBackend.Iptables; return true;
            case "nftables": backend = NetfilterBackend.Nftables; return true;
            default: backend = NetfilterBackend.Auto; return false;
        }
    }

    /// <summary>"tcp", "udp", "sctp".</summary>
    public static string ToWord(this Protocol protocol) => protocol switch
    {
        Protocol.Tcp => "tcp",
        Protocol.Udp => "udp",
        _ => "sctp",
    };

    /// <summary>"bridge", "private", "vepa", "passthru".</summary>
    public static string ToWord(this MacvlanMode mode) => mode switch
    {
        MacvlanMode.Bridge => "bridge",
        MacvlanMode.Private => "private",
        MacvlanMode.Vepa => "vepa",
        _ => "passthru",
    };

    /// <summary>"auto", "iptables", "nftables".</summary>
    public static string ToWord(this NetfilterBackend backend) => backend switch
    {
        NetfilterBackend.Iptables => "iptables",
        NetfilterBackend.Nftables => "nftables",
        _ => "auto",
    };

    /// <summary>"create", "adopt", "adopt-or-create".</summary>
    public static string ToWord(this LinkOrigin origin) => origin switch
    {
        LinkOrigin.Adopt => "adopt",
        LinkOrigin.AdoptOrCreate => "adopt-or-create",
        _ => "create",
    };
}
