namespace Hv.Core.Networking
{
    /// <summary>Outcome of connecting an adapter to a <see cref="VirtualSwitch"/>.</summary>
    public enum SwitchStatus
    {
        Ok,
        /// <summary>Every port of the switch is in use.</summary>
        Full,
        /// <summary>A group (multicast/broadcast) or all-zero MAC cannot be an adapter's address.</summary>
        InvalidMac,
        /// <summary>Another port of this switch already has that MAC: two adapters with one address would let one take the other's traffic.</summary>
        DuplicateMac,
    }
}
