using System.Runtime.InteropServices;

namespace Hv.Kernel.Cpu
{
    // What boot/interrupts.asm pushes, lowest address first, followed by the CPU's own interrupt frame.
    [StructLayout(LayoutKind.Sequential)]
    internal struct ExceptionFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;
    }
}
