using System.Runtime.InteropServices;

namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// A vCPU's general-purpose registers plus RIP and RFLAGS. The VMCS holds only RSP, RIP and RFLAGS, so the
    /// exit stub saves the rest; the backend copies RSP/RIP/RFLAGS in from the VMCS after each exit and back
    /// before the next entry, so handlers read and write everything here. Fields are in x86 register-number
    /// order (RAX=0 ... R15=15) because exit qualifications name registers by that number.
    /// </summary>
    // Sequential: the VT-x exit stub (boot/vmx.asm) saves and loads these fields by offset.
    [StructLayout(LayoutKind.Sequential)]
    public sealed class GuestRegisters
    {
        public ulong Rax;
        public ulong Rcx;
        public ulong Rdx;
        public ulong Rbx;
        public ulong Rsp;
        public ulong Rbp;
        public ulong Rsi;
        public ulong Rdi;
        public ulong R8;
        public ulong R9;
        public ulong R10;
        public ulong R11;
        public ulong R12;
        public ulong R13;
        public ulong R14;
        public ulong R15;
        public ulong Rip;
        public ulong Rflags;
        /// <summary>
        /// CR2 (the last page-fault address) has no VMCS field (SDM Vol. 3C 27.3.1 leaves it alone): the world switch
        /// loads it before entry and saves it after exit with the general registers.
        /// </summary>
        public ulong Cr2;

        /// <summary>All zero: a recycled vCPU must not show a new guest anything of the previous one.</summary>
        public void Clear()
        {
            Rax = Rcx = Rdx = Rbx = Rsp = Rbp = Rsi = Rdi = 0;
            R8 = R9 = R10 = R11 = R12 = R13 = R14 = R15 = 0;
            Rip = Rflags = Cr2 = 0;
        }

        /// <summary>General register number <paramref name="n"/> (0 = RAX ... 15 = R15), as exit qualifications name them.</summary>
        public ulong Get(int n)
        {
            switch (n & 15)
            {
                case 0: return Rax; case 1: return Rcx; case 2: return Rdx; case 3: return Rbx;
                case 4: return Rsp; case 5: return Rbp; case 6: return Rsi; case 7: return Rdi;
                case 8: return R8; case 9: return R9; case 10: return R10; case 11: return R11;
                case 12: return R12; case 13: return R13; case 14: return R14; default: return R15;
            }
        }

        public void Set(int n, ulong v)
        {
            switch (n & 15)
            {
                case 0: Rax = v; break; case 1: Rcx = v; break; case 2: Rdx = v; break; case 3: Rbx = v; break;
                case 4: Rsp = v; break; case 5: Rbp = v; break; case 6: Rsi = v; break; case 7: Rdi = v; break;
                case 8: R8 = v; break; case 9: R9 = v; break; case 10: R10 = v; break; case 11: R11 = v; break;
                case 12: R12 = v; break; case 13: R13 = v; break; case 14: R14 = v; break; default: R15 = v; break;
            }
        }

        public void CopyFrom(GuestRegisters o)
        {
            Rax = o.Rax; Rcx = o.Rcx; Rdx = o.Rdx; Rbx = o.Rbx; Rsp = o.Rsp; Rbp = o.Rbp; Rsi = o.Rsi; Rdi = o.Rdi;
            R8 = o.R8; R9 = o.R9; R10 = o.R10; R11 = o.R11; R12 = o.R12; R13 = o.R13; R14 = o.R14; R15 = o.R15;
            Rip = o.Rip; Rflags = o.Rflags; Cr2 = o.Cr2;
        }
    }
}
