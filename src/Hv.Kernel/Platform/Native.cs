using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hv.Kernel.Platform
{
    // The privileged instructions, as tiny assembly routines in boot/*.asm, called directly (RuntimeImport: no
    // transition frame, no GC poll).
    internal static unsafe class Native
    {
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_outb")] public static extern void hv_outb(ushort port, byte value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_outw")] public static extern void hv_outw(ushort port, ushort value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_outd")] public static extern void hv_outd(ushort port, uint value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_inb")] public static extern byte hv_inb(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_ind")] public static extern uint hv_ind(ushort port);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_cpuid")] public static extern void hv_cpuid(uint leaf, uint subleaf, uint* result);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_rdmsr")] public static extern ulong hv_rdmsr(uint msr);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_wrmsr")] public static extern void hv_wrmsr(uint msr, ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_rdtsc")] public static extern ulong hv_rdtsc();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_read_cr0")] public static extern ulong hv_read_cr0();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_read_cr2")] public static extern ulong hv_read_cr2();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_read_cr3")] public static extern ulong hv_read_cr3();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_read_cr4")] public static extern ulong hv_read_cr4();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_write_cr0")] public static extern void hv_write_cr0(ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_write_cr4")] public static extern void hv_write_cr4(ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_halt")] public static extern void hv_halt();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_disable_interrupts")] public static extern void hv_disable_interrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_enable_interrupts")] public static extern void hv_enable_interrupts();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_lidt")] public static extern void hv_lidt(void* descriptor);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_invlpg")] public static extern void hv_invlpg(ulong address);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_image_start")] public static extern ulong hv_image_start();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_image_end")] public static extern ulong hv_image_end();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_boot_heap_start")] public static extern ulong hv_boot_heap_start();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_boot_heap_limit")] public static extern ulong hv_boot_heap_limit();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_rdrand")] public static extern int hv_rdrand(ulong* value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_wait_for_interrupt")] public static extern void hv_wait_for_interrupt();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_gdt_base")] public static extern ulong hv_gdt_base();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_tss_base")] public static extern ulong hv_tss_base();

        // VMX (boot/vmx.asm). Status: 0 success, 1 VMfailInvalid, 2 VMfailValid.
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmxon")] public static extern int hv_vmxon(ulong* physicalAddress);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmclear")] public static extern int hv_vmclear(ulong* physicalAddress);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmptrld")] public static extern int hv_vmptrld(ulong* physicalAddress);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmwrite")] public static extern int hv_vmwrite(ulong field, ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmread")] public static extern ulong hv_vmread(ulong field);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_invept")] public static extern int hv_invept(ulong type, void* descriptor);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmx_exit_address")] public static extern ulong hv_vmx_exit_address();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_vmx_run")] public static extern long hv_vmx_run(ulong* registers, int launched, void* xsaveArea, ulong* exitInfo);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_invvpid")] public static extern int hv_invvpid(ulong type, void* descriptor);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_xsetbv")] public static extern void hv_xsetbv(ulong value);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_read_debug_registers")] public static extern void hv_read_debug_registers(ulong* five);
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_write_debug_registers")] public static extern void hv_write_debug_registers(ulong* five);
    }
}
