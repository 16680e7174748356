; Hv boot entry: GRUB (Multiboot2) enters here in 32-bit protected mode with paging off.
; We build identity page tables for the first 4 GiB (2 MiB pages), switch to long mode, load a GDT with a TSS,
; enable SSE (ilc's code uses it everywhere), and call the C# entry hv_main(mbi, readyToRunHeader).

bits 32

MB2_MAGIC    equ 0xE85250D6
MB2_ARCH_I386 equ 0

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; end tag
    dw 0, 0
    dd 8
mb2_header_end:

section .boottext progbits alloc exec nowrite align=16
global _start
extern hv_main
extern __ReadyToRunHeader

_start:
    cli
    mov esp, boot_stack_top
    mov edi, eax                    ; Multiboot2 magic (checked in C#)
    mov esi, ebx                    ; boot information address

    ; PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages = 4 GiB identity map.
    mov eax, pdpt
    or eax, 3
    mov [pml4], eax
    mov ecx, 0
.pdpt_loop:
    mov eax, ecx
    shl eax, 12
    add eax, page_dirs
    or eax, 3
    mov [pdpt + ecx*8], eax
    inc ecx
    cmp ecx, 4
    jne .pdpt_loop
    mov ecx, 0
.pd_loop:                            ; 2048 entries: entry i maps i * 2 MiB (present, writable, large)
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [page_dirs + ecx*8], eax
    mov eax, ecx
    shr eax, 11
    mov [page_dirs + ecx*8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .pd_loop

    mov eax, pml4
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5)                ; PAE
    mov cr4, eax
    mov ecx, 0xC0000080             ; EFER
    rdmsr
    or eax, (1 << 8) | (1 << 11)    ; LME, NXE
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | 1           ; PG, PE
    mov cr0, eax

    lgdt [gdt_descriptor]
    jmp 0x08:long_mode_entry

bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, kernel_stack_top

    ; SSE: CR0.MP | CR0.NE, clear CR0.EM | CR0.TS; CR4.OSFXSR | CR4.OSXMMEXCPT.
    mov rax, cr0
    and rax, ~((1 << 2) | (1 << 3))
    or rax, (1 << 1) | (1 << 5)
    mov cr0, rax
    mov rax, cr4
    or rax, (1 << 9) | (1 << 10)
    mov cr4, rax
    fninit

    ; TSS descriptor (64-bit, 16 bytes) at GDT selector 0x18: base and limit are patched in here
    ; because the linker resolves the TSS address only at link time.
    mov rax, tss
    mov word [gdt_tss + 2], ax
    shr rax, 16
    mov byte [gdt_tss + 4], al
    mov byte [gdt_tss + 7], ah
    shr rax, 16
    mov dword [gdt_tss + 8], eax
    mov qword [tss + 36], double_fault_stack_top   ; IST1: a known-good stack for #DF and #MC
    mov qword [tss + 4], kernel_stack_top          ; RSP0
    mov ax, 0x18
    ltr ax

    mov edi, edi                    ; zero-extend magic
    mov esi, esi                    ; zero-extend boot info address
    mov rdx, __ReadyToRunHeader
    call hv_main
.halt:
    cli
    hlt
    jmp .halt

section .data
align 16
global gdt
gdt:
    dq 0                             ; null
    dq 0x00AF9A000000FFFF            ; 0x08 code64
    dq 0x00CF92000000FFFF            ; 0x10 data
gdt_tss:
    dw 103                           ; 0x18 TSS limit (104-byte TSS)
    dw 0
    db 0
    db 0x89                          ; present, type 9 (available 64-bit TSS)
    db 0
    db 0
    dd 0
    dd 0
gdt_end:
global gdt_descriptor
gdt_descriptor:
    dw gdt_end - gdt - 1
    dq gdt

align 16
global tss
tss:
    times 104 db 0

section .bss
align 4096
pml4:       resb 4096
pdpt:       resb 4096
page_dirs:  resb 4096 * 4
align 16
boot_stack: resb 4096
boot_stack_top:
kernel_stack: resb 65536
global kernel_stack_top
kernel_stack_top:
double_fault_stack: resb 16384
double_fault_stack_top:

; The boot heap: enough for the C# kernel to parse the boot information before it knows where free memory is.
; Kept small because GRUB zeroes .bss byte by byte.
section .bss
align 4096
global hv_boot_heap
hv_boot_heap: resb 1024 * 1024
global hv_boot_heap_end
hv_boot_heap_end:
