using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Loads a flat 64-bit binary at 1 MiB and starts it already in long mode: the hypervisor builds what a
    /// boot loader would (<see cref="IdentityPageTables"/> over all RAM, a flat GDT), so a test guest needs no
    /// mode-switch code.
    /// </summary>
    public static class LongModeLoader
    {
        public const ulong LoadAddress = GuestLayout.HighMemoryStart;
        /// <summary>Room kept free below the initial RSP so the image never sits in the stack's way.</summary>
        public const ulong StackReserve = 0x1000;

        public static GuestLoadStatus Load(ReadOnlySpan<byte> image, GuestMemoryAccess memory, ulong ramSize,
            GuestEntryState state)
        {
            if (image.Length == 0)
            {
                return GuestLoadStatus.ImageEmpty;
            }
            if (ramSize < LoadAddress + StackReserve || (ulong)image.Length > ramSize - LoadAddress - StackReserve)
            {
                return GuestLoadStatus.DoesNotFit;
            }
            // One page directory per GiB, all below the image.
            if (IdentityPageTables.End(ramSize) > LoadAddress)
            {
                return GuestLoadStatus.RamTooLarge;
            }

            if (!IdentityPageTables.Write(memory, ramSize)
                || !GuestWrites.UInt64(memory, GuestLayout.RamSizeAddress, ramSize)
                || !memory.Write(LoadAddress, image))
            {
                return GuestLoadStatus.WriteFailed;
            }
            state.Reset();
            if (!FlatGdt.Install(memory, true, state))
            {
                return GuestLoadStatus.WriteFailed;
            }
            IdentityPageTables.EnterLongMode(state);
            state.Rip = LoadAddress;
            state.Rsp = ramSize & ~0xFUL;
            return GuestLoadStatus.Ok;
        }
    }
}
