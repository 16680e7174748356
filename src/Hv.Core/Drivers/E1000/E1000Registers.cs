namespace Hv.Core.Drivers.E1000
{
    /// <summary>
    /// Register offsets and bits of the Intel 82540EM (PCI 8086:100E) in its memory BAR, from the PCI/PCI-X Family of
    /// Gigabit Ethernet Controllers Software Developer's Manual (8254x SDM, rev. 4.0), chapter 13. Architecture
    /// definitions only; <see cref="E1000Driver"/> holds the logic.
    /// </summary>
    public static class E1000Registers
    {
        public const ushort VendorIntel = 0x8086;
        public const ushort Device82540EM = 0x100E;

        /// <summary>BAR 0 decodes the registers in memory space (SDM §4.1, Table 4-2): 128 KiB.</summary>
        public const int RegisterBar = 0;
        public const int RegisterBytes = 0x20000;

        public const int Ctrl = 0x0000;      // §13.4.1 Device Control
        public const int Status = 0x0008;    // §13.4.2 Device Status
        public const int Eerd = 0x0014;      // §13.4.4 EEPROM Read
        public const int Icr = 0x00C0;       // §13.4.17 Interrupt Cause Read
        public const int Ims = 0x00D0;       // §13.4.20 Interrupt Mask Set/Read
        public const int Imc = 0x00D8;       // §13.4.21 Interrupt Mask Clear
        public const int Rctl = 0x0100;      // §13.4.22 Receive Control
        public const int Tctl = 0x0400;      // §13.4.33 Transmit Control
        public const int Tipg = 0x0410;      // §13.4.34 Transmit IPG
        public const int Rdbal = 0x2800;     // §13.4.25 Receive Descriptor Base Address Low
        public const int Rdbah = 0x2804;
        public const int Rdlen = 0x2808;     // §13.4.27 Receive Descriptor Length
        public const int Rdh = 0x2810;       // §13.4.28 Receive Descriptor Head
        public const int Rdt = 0x2818;       // §13.4.29 Receive Descriptor Tail
        public const int Rdtr = 0x2820;      // §13.4.30 Receive Delay Timer
        public const int Tdbal = 0x3800;     // §13.4.36 Transmit Descriptor Base Address Low
        public const int Tdbah = 0x3804;
        public const int Tdlen = 0x3808;     // §13.4.38 Transmit Descriptor Length
        public const int Tdh = 0x3810;       // §13.4.39 Transmit Descriptor Head
        public const int Tdt = 0x3818;       // §13.4.40 Transmit Descriptor Tail
        public const int Mta = 0x5200;      // §13.5.1 Multicast Table Array, 128 dwords
        public const int MtaEntries = 128;
        public const int Ral0 = 0x5400;      // §13.5.2 Receive Address Low/High, 16 pairs
        public const int Rah0 = 0x5404;
        public const int ReceiveAddresses = 16;

        // CTRL (Table 13-3).
        public const uint CtrlLinkReset = 1u << 3;
        public const uint CtrlAutoSpeedDetect = 1u << 5;
        public const uint CtrlSetLinkUp = 1u << 6;
        public const uint CtrlInvertLossOfSignal = 1u << 7;
        public const uint CtrlReset = 1u << 26;
        public const uint CtrlVlanMode = 1u << 30;
        public const uint CtrlPhyReset = 1u << 31;

        // STATUS (Table 13-5).
        public const uint StatusFullDuplex = 1u << 0;
        public const uint StatusLinkUp = 1u << 1;

        // EERD (Table 13-7): start, done, word address 15:8, data 31:16.
        public const uint EerdStart = 1u << 0;
        public const uint EerdDone = 1u << 4;
        public const int EerdAddressShift = 8;
        public const int EerdDataShift = 16;

        /// <summary>EEPROM words 0-2 hold the Ethernet address, low byte first (SDM §5.6.1).</summary>
        public const int EepromMacWords = 3;

        public const uint InterruptsAll = 0xFFFFFFFF;

        // RCTL (Table 13-67). Buffer size 00b with BSEX clear is 2048 bytes.
        public const uint RctlEnable = 1u << 1;
        public const uint RctlStoreBadPackets = 1u << 2;
        public const uint RctlUnicastPromiscuous = 1u << 3;
        public const uint RctlMulticastPromiscuous = 1u << 4;
        public const uint RctlLongPackets = 1u << 5;
        public const uint RctlBroadcastAccept = 1u << 15;
        public const uint RctlBufferSizeMask = 3u << 16;
        public const uint RctlBufferSizeExtension = 1u << 25;
        public const uint RctlStripCrc = 1u << 26;
        public const int ReceiveBufferBytes = 2048;

        // TCTL (Table 13-76) and the values §14.5 recommends: collision threshold 10h, collision distance 40h (full duplex).
        public const uint TctlEnable = 1u << 1;
        public const uint TctlPadShortPackets = 1u << 3;
        public const int TctlCollisionThresholdShift = 4;
        public const int TctlCollisionDistanceShift = 12;
        public const uint TctlCollisionThreshold = 0x10;
        public const uint TctlCollisionDistance = 0x40;

        /// <summary>TIPG for IEEE 802.3 copper (Table 13-77): IPGT 10, IPGR1 8, IPGR2 6.</summary>
        public const uint TipgCopper = 10 | (8 << 10) | (6 << 20);

        public const uint RahAddressValid = 1u << 31;

        /// <summary>Descriptor ring lengths are multiples of 128 bytes (§13.4.27, §13.4.38); bases 16-byte aligned.</summary>
        public const int RingLengthGranule = 128;
    }
}
