using System.Runtime.InteropServices;
using Hv.Core.Text;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Cpu
{
    // A readable end instead of a silent triple fault: what happened, where, and the registers, then halt.
    internal static unsafe class PanicHandler
    {
        private static readonly string[] ExceptionNames =
        {
            "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)", "bound range (#BR)",
            "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)", "coprocessor overrun",
            "invalid TSS (#TS)", "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
            "page fault (#PF)", "reserved", "x87 error (#MF)", "alignment check (#AC)", "machine check (#MC)",
            "SIMD error (#XM)", "virtualization (#VE)", "control protection (#CP)",
        };

        public static void OnPanic(string message)
        {
            TextSink log = Kernel.Log;
            if (log != null)
            {
                log.Write("PANIC: ");
                log.WriteLine(message);
            }
            Stop();
        }

        [UnmanagedCallersOnly(EntryPoint = "hv_exception")]
        private static void OnException(ExceptionFrame* f)
        {
            TextSink log = Kernel.Log;
            if (log != null)
            {
                log.Write("PANIC: CPU exception ");
                log.WriteDecimal(f->Vector);
                log.Write(" ");
                log.Write(f->Vector < (ulong)ExceptionNames.Length ? ExceptionNames[f->Vector] : "reserved");
                log.Write(" error=");
                log.WriteHex(f->ErrorCode, 1);
                log.WriteLine();
                Pair(log, "rip", f->Rip, "rsp", f->Rsp, "rflags", f->Rflags);
                Pair(log, "cr2", Native.hv_read_cr2(), "cr3", Native.hv_read_cr3(), "cs", f->Cs);
                Pair(log, "rax", f->Rax, "rbx", f->Rbx, "rcx", f->Rcx);
                Pair(log, "rdx", f->Rdx, "rsi", f->Rsi, "rdi", f->Rdi);
                Pair(log, "rbp", f->Rbp, "r8", f->R8, "r9", f->R9);
                Pair(log, "r10", f->R10, "r11", f->R11, "r12", f->R12);
                Pair(log, "r13", f->R13, "r14", f->R14, "r15", f->R15);
            }
            Stop();
        }

        // Halt by default; hv.panic=poweroff ends the emulator instead, so automated runs finish at once.
        private static void Stop()
        {
            if (Kernel.PowerOffOnPanic)
            {
                Kernel.Log.WriteLine("powering off (hv.panic=poweroff).");
                Machine.PowerOff();
            }
            if (Kernel.Log != null) Kernel.Log.WriteLine("halted.");
            Machine.HaltForever();
        }

        private static void Pair(TextSink log, string a, ulong va, string b, ulong vb, string c, ulong vc)
        {
            Register(log, a, va);
            Register(log, b, vb);
            Register(log, c, vc);
            log.WriteLine();
        }

        private static void Register(TextSink log, string name, ulong value)
        {
            log.Write("  ");
            log.Write(name);
            log.Write("=");
            log.WriteHex(value, 16);
        }
    }
}
