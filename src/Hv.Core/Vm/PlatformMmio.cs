using Hv.Core.Devices;
using Hv.Core.Devices.Pc;

namespace Hv.Core.Vm
{
    /// <summary>
    /// One of a PC VM's device pages (the local APIC's, the IOAPIC's) on its <see cref="MmioBus"/>: accesses go to the
    /// platform, which decodes the register from the guest-physical address.
    /// </summary>
    public sealed class PlatformMmio : MmioDevice
    {
        private readonly PcPlatform _platform;
        private readonly ulong _base;

        public PlatformMmio(PcPlatform platform, ulong baseAddress)
        {
            _platform = platform;
            _base = baseAddress;
        }

        public override ulong Read(ulong offset, int size)
        {
            uint value;
            return _platform.MmioRead(_base + offset, size, out value) ? value : 0;
        }

        public override void Write(ulong offset, int size, ulong value)
        {
            _platform.MmioWrite(_base + offset, size, (uint)value);
        }
    }
}
