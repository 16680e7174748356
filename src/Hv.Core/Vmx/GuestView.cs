using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;
using Hv.Core.X86;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// The guest as an instruction emulator sees it at a VM exit: its paging state, its code size (from CR0.PE,
    /// RFLAGS.VM, EFER.LMA and CS.L/CS.D, SDM Vol. 3A §3.4.5) and the bytes at its RIP.
    /// </summary>
    public static class GuestView
    {
        private const ulong CsLong = 1UL << 13, CsDefault32 = 1UL << 14;
        private const ulong RflagsVirtual8086 = 1UL << 17;

        public static PagingContext Paging(Vcpu cpu)
        {
            return new PagingContext(cpu.ReadField(VmcsField.GuestCr0), cpu.ReadField(VmcsField.GuestCr3),
                cpu.ReadField(VmcsField.GuestCr4), cpu.ReadField(VmcsField.GuestIa32Efer));
        }

        public static CodeSize CodeSizeOf(Vcpu cpu, PagingContext paging)
        {
            if ((paging.Cr0 & ControlRegisterBits.Cr0ProtectionEnable) == 0 || (cpu.Registers.Rflags & RflagsVirtual8086) != 0)
            {
                return CodeSize.Bits16;
            }
            ulong cs = cpu.ReadField(VmcsField.GuestCsAccessRights);
            if (paging.LongMode && (cs & CsLong) != 0) return CodeSize.Bits64;
            return (cs & CsDefault32) != 0 ? CodeSize.Bits32 : CodeSize.Bits16;
        }

        /// <summary>User-mode accesses (CPL 3) are checked as such by the page walk.</summary>
        public static uint PrivilegeAccess(Vcpu cpu)
        {
            return cpu.CurrentPrivilegeLevel() == 3 ? PageAccess.User : PageAccess.Read;
        }

        /// <summary>
        /// Reads up to <paramref name="code"/>.Length bytes at CS:RIP; returns how many could be read (fewer when the
        /// next page does not translate: the instruction may end before it).
        /// </summary>
        public static int FetchInstruction(Vcpu cpu, GuestMemoryAccess memory, PagingContext paging, CodeSize mode, Span<byte> code)
        {
            ulong rip = cpu.Registers.Rip;
            ulong linear = mode == CodeSize.Bits64 ? rip : cpu.ReadField(VmcsField.GuestCsBase) + (rip & 0xFFFFFFFFUL);
            int done;
            uint faultCode;
            GuestLinearMemory.Read(memory, paging, linear, PageAccess.Fetch | PrivilegeAccess(cpu), code, out done, out faultCode);
            return done;
        }
    }
}
