using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Loads a flat 16-bit binary at 0000:8000 and starts it in real mode (CR0.PE=PG=0), which VM entry
    /// allows only with the "unrestricted guest" control (SDM 26.3.1.1). Segments look as they do after a
    /// far jump in real mode: base = selector × 16, 64 KiB limit.
    /// </summary>
    public static class RealModeLoader
    {
        /// <summary>Real-mode IVT: 256 vectors × 4 bytes at address 0.</summary>
        private const uint InterruptVectorTableLimit = 0x3FF;
        private const uint RealModeLimit = 0xFFFF;

        public static GuestLoadStatus Load(ReadOnlySpan<byte> image, GuestMemoryAccess memory, ulong ramSize,
            GuestEntryState state)
        {
            if (image.Length == 0)
            {
                return GuestLoadStatus.ImageEmpty;
            }
            // The image must stay in conventional memory: above it the legacy hole starts and real-mode
            // addressing (segment × 16 + offset) cannot reach far beyond 1 MiB anyway.
            ulong end = GuestLayout.RealModeLoadAddress + (ulong)image.Length;
            if (end > GuestLayout.ConventionalMemoryEnd || end > ramSize)
            {
                return GuestLoadStatus.DoesNotFit;
            }
            if (!GuestWrites.UInt64(memory, GuestLayout.RamSizeAddress, ramSize)
                || !memory.Write(GuestLayout.RealModeLoadAddress, image))
            {
                return GuestLoadStatus.WriteFailed;
            }

            state.Reset();
            state.Cs = new GuestSegment(0, 0, RealModeLimit, SegmentAccessRights.RealModeCode);
            state.SetDataSegments(new GuestSegment(0, 0, RealModeLimit, SegmentAccessRights.RealModeData));
            state.Ldtr = GuestSegment.Unusable();
            // TR may not be unusable even in real mode; a busy 16/32-bit TSS type passes the checks (26.3.1.2).
            state.Tr = new GuestSegment(0, 0, RealModeLimit, SegmentAccessRights.BusyTss);
            state.GdtrLimit = RealModeLimit;
            state.IdtrLimit = InterruptVectorTableLimit;
            state.Cr0 = ControlRegisterBits.Cr0ExtensionType;
            state.Rflags = ControlRegisterBits.RflagsReserved1;
            state.Rip = GuestLayout.RealModeLoadAddress;
            state.Rsp = GuestLayout.LowStackTop;
            return GuestLoadStatus.Ok;
        }
    }
}
