namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// The host bridge at 00:00.0, presented as Intel's 82441FX (i440FX) PCI and memory controller: vendor 8086,
    /// device 1237, revision 02, class 06/00/00 (host bridge). It is the bridge Bochs and QEMU's "pc" machine show,
    /// so it is the combination Linux is most tested against; Linux's direct type-1 probe (arch/x86/pci/direct.c)
    /// accepts configuration mechanism #1 as soon as it finds a class-0600 device (or an Intel vendor ID) on bus
    /// 0, and the only quirks that match 8086:1237 merely log ("Limiting direct PCI/PCI transfers") or look for a
    /// PIIX3 that is not there. None of the chipset registers (PAM, SMRAM, DRAM rows) are modelled: with no BIOS
    /// to shadow there is nothing for them to do, so they read 0 and ignore writes. The bridge has no BARs and no
    /// interrupt.
    /// </summary>
    public sealed class PciHostBridge : PciFunction
    {
        public const ushort IntelVendorId = 0x8086;
        public const ushort I440fxDeviceId = 0x1237;
        public const uint HostBridgeClass = 0x060000;

        public PciHostBridge()
            : base(IntelVendorId, I440fxDeviceId, 0x02, HostBridgeClass, 0, 0, 0)
        {
        }
    }
}
