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

        /// <summary>All zero: a recycled vCPU must not show a new guest anything of the previous one.</summary>
        public void Clear()
        {
            Rax = Rcx = Rdx = Rbx = Rsp = Rbp = Rsi = Rdi = 0;
            R8 = R9 = R10 = R11 = R12 = R13 = R14 = R15 = 0;
            Rip = Rflags = 0;
        }

        public void CopyFrom(GuestRegisters o)
        {
            Rax = o.Rax; Rcx = o.Rcx; Rdx = o.Rdx; Rbx = o.Rbx; Rsp = o.Rsp; Rbp = o.Rbp; Rsi = o.Rsi; Rdi = o.Rdi;
            R8 = o.R8; R9 = o.R9; R10 = o.R10; R11 = o.R11; R12 = o.R12; R13 = o.R13; R14 = o.R14; R15 = o.R15;
            Rip = o.Rip; Rflags = o.Rflags;
        }
    }
}
