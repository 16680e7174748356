namespace Hv.Core.Net
{
    /// <summary>Where the interface's address came from.</summary>
    public enum IpSource
    {
        None,
        Static,
        Dhcp,
    }

    /// <summary>The interface's IPv4 configuration: address, prefix, gateway (0 = none).</summary>
    public sealed class IpSettings
    {
        public uint Address;
        public int PrefixLength;
        public uint Gateway;
        public IpSource Source;

        public bool IsConfigured { get { return Source != IpSource.None; } }
        public uint Mask { get { return Ipv4Address.MaskFromPrefix(PrefixLength); } }
        public uint SubnetBroadcast { get { return Address | ~Mask; } }

        public bool IsOnLink(uint address)
        {
            return ((address ^ Address) & Mask) == 0;
        }

        public void Set(uint address, int prefixLength, uint gateway, IpSource source)
        {
            Address = address;
            PrefixLength = prefixLength;
            Gateway = gateway;
            Source = source;
        }

        public void Clear()
        {
            Set(0, 0, 0, IpSource.None);
        }

        /// <summary>
        /// Parses the static form "ADDR/PREFIX[,GATEWAY]" (the hv.ip= command-line value), e.g. "10.0.2.15/24,10.0.2.2".
        /// The address must be a usable unicast host address and the gateway on its subnet.
        /// </summary>
        public static bool TryParseStatic(string text, out uint address, out int prefixLength, out uint gateway)
        {
            address = 0;
            prefixLength = 0;
            gateway = 0;
            if (text == null)
            {
                return false;
            }
            int position = 0;
            if (!Ipv4Address.TryParse(text, ref position, out address) || position >= text.Length || text[position] != '/')
            {
                return false;
            }
            position++;
            if (!Ipv4Address.TryParseDecimal(text, ref position, 32, out prefixLength) || prefixLength < 1)
            {
                return false;
            }
            if (position < text.Length)
            {
                if (text[position] != ',')
                {
                    return false;
                }
                position++;
                if (!Ipv4Address.TryParse(text, ref position, out gateway) || position != text.Length)
                {
                    return false;
                }
            }
            uint mask = Ipv4Address.MaskFromPrefix(prefixLength);
            bool hostOk = address != 0 && !Ipv4Address.IsMulticast(address) && address != Ipv4Address.Broadcast
                          && (prefixLength >= 31 || ((address & ~mask) != 0 && (address & ~mask) != ~mask));
            bool gatewayOk = gateway == 0 || (((gateway ^ address) & mask) == 0 && gateway != address);
            return hostOk && gatewayOk;
        }
    }
}
