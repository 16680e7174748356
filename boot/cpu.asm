; Small leaf routines the C# kernel calls for privileged instructions (System V AMD64 ABI).
bits 64
section .text

%macro export 1
global %1
%1:
%endmacro

export hv_outb
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
export hv_outd
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret
export hv_inb
    mov edx, edi
    xor eax, eax
    in al, dx
    ret
export hv_outw
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
export hv_ind
    mov edx, edi
    in eax, dx
    ret
; void hv_cpuid(uint leaf, uint subleaf, uint* out4)
export hv_cpuid
    push rbx
    mov eax, edi
    mov ecx, esi
    mov r8, rdx
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret
export hv_rdmsr
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
export hv_wrmsr
    mov ecx, edi
    mov rax, rsi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
export hv_rdtsc
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
export hv_read_cr0
    mov rax, cr0
    ret
export hv_read_cr2
    mov rax, cr2
    ret
export hv_read_cr3
    mov rax, cr3
    ret
export hv_read_cr4
    mov rax, cr4
    ret
export hv_write_cr0
    mov cr0, rdi
    ret
export hv_write_cr4
    mov cr4, rdi
    ret
; void hv_xsetbv(ulong value): XCR0 = value (the host's own, once at start)
export hv_xsetbv
    mov rax, rdi
    mov rdx, rdi
    shr rdx, 32
    xor ecx, ecx
    xsetbv
    ret
; void hv_read_debug_registers(ulong* five) / hv_write_debug_registers(ulong* five): DR0, DR1, DR2, DR3, DR6.
export hv_read_debug_registers
    mov rax, dr0
    mov [rdi], rax
    mov rax, dr1
    mov [rdi + 8], rax
    mov rax, dr2
    mov [rdi + 16], rax
    mov rax, dr3
    mov [rdi + 24], rax
    mov rax, dr6
    mov [rdi + 32], rax
    ret
export hv_write_debug_registers
    mov rax, [rdi]
    mov dr0, rax
    mov rax, [rdi + 8]
    mov dr1, rax
    mov rax, [rdi + 16]
    mov dr2, rax
    mov rax, [rdi + 24]
    mov dr3, rax
    mov rax, [rdi + 32]
    mov dr6, rax
    ret
export hv_halt
    hlt
    ret
export hv_disable_interrupts
    cli
    ret
export hv_enable_interrupts
    sti
    ret
export hv_lidt
    lidt [rdi]
    ret
export hv_invlpg
    invlpg [rdi]
    ret

extern __image_start
extern __image_end
extern hv_boot_heap
extern hv_boot_heap_end
export hv_image_start
    mov rax, __image_start
    ret
export hv_image_end
    mov rax, __image_end
    ret
export hv_boot_heap_start
    mov rax, hv_boot_heap
    ret
export hv_boot_heap_limit
    mov rax, hv_boot_heap_end
    ret

; Data the ilc-generated code expects from its runtime.
section .data
align 8
global __security_cookie
__security_cookie: dq 0x2B992DDFA232D1A5
global RhpTrapThreads
RhpTrapThreads: dd 0

section .text
extern gdt
extern tss
export hv_gdt_base
    mov rax, gdt
    ret
export hv_tss_base
    mov rax, tss
    ret

section .text
; int hv_rdrand(ulong* value): 1 when the CPU's random generator delivered a value (CF=1).
export hv_rdrand
    mov ecx, 10
.retry:
    rdrand rax
    jc .ok
    dec ecx
    jnz .retry
    xor eax, eax
    ret
.ok:
    mov [rdi], rax
    mov eax, 1
    ret
