using System.Runtime.InteropServices;

namespace Hv.Kernel.Platform
{
    // The privileged instructions, as tiny assembly routines in boot/cpu.asm (bound statically by ilc).
    internal static unsafe class Native
    {
        [DllImport("*"), SuppressGCTransition] public static extern void hv_outb(ushort port, byte value);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_outw(ushort port, ushort value);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_outd(ushort port, uint value);
        [DllImport("*"), SuppressGCTransition] public static extern byte hv_inb(ushort port);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_cpuid(uint leaf, uint subleaf, uint* result);
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_rdmsr(uint msr);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_wrmsr(uint msr, ulong value);
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_rdtsc();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_read_cr0();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_read_cr2();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_read_cr3();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_read_cr4();
        [DllImport("*"), SuppressGCTransition] public static extern void hv_write_cr0(ulong value);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_write_cr4(ulong value);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_halt();
        [DllImport("*"), SuppressGCTransition] public static extern void hv_disable_interrupts();
        [DllImport("*"), SuppressGCTransition] public static extern void hv_enable_interrupts();
        [DllImport("*"), SuppressGCTransition] public static extern void hv_lidt(void* descriptor);
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_image_start();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_image_end();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_boot_heap_start();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_boot_heap_limit();
        [DllImport("*"), SuppressGCTransition] public static extern int hv_rdrand(ulong* value);
        [DllImport("*"), SuppressGCTransition] public static extern void hv_wait_for_interrupt();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_gdt_base();
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_tss_base();

        // VMX (boot/vmx.asm). Status: 0 success, 1 VMfailInvalid, 2 VMfailValid.
        [DllImport("*"), SuppressGCTransition] public static extern int hv_vmxon(ulong* physicalAddress);
        [DllImport("*"), SuppressGCTransition] public static extern int hv_vmclear(ulong* physicalAddress);
        [DllImport("*"), SuppressGCTransition] public static extern int hv_vmptrld(ulong* physicalAddress);
        [DllImport("*"), SuppressGCTransition] public static extern int hv_vmwrite(ulong field, ulong value);
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_vmread(ulong field);
        [DllImport("*"), SuppressGCTransition] public static extern int hv_invept(ulong type, void* descriptor);
        [DllImport("*"), SuppressGCTransition] public static extern ulong hv_vmx_exit_address();
        [DllImport("*"), SuppressGCTransition] public static extern long hv_vmx_run(ulong* registers, int launched, void* fxsaveArea);
    }
}
