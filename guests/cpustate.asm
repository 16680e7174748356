; cpustate.asm - no CPU state crosses between VMs. Run as two VMs (each takes its pattern from its VM id): every
; iteration writes values of its own into CR2, DR0-DR3, DR6, DR7, CR8, XCR0 (3 or 7), XMM0-15/YMM0-15, the x87 stack,
; the syscall MSRs, FS/GS bases and KERNEL_GS_BASE across SWAPGS, TSC_AUX (read back with RDTSCP), SYSENTER, PAT and
; EFER.SCE; gives the CPU away (HLT with IF set; every 64th iteration also spins through time slices); then reads each
; back. Any difference prints "cpustate FAIL <register>" and exits with code 1. See GuestStateInventory.
; loader: long
; expect: cpustate start
; expect: cpustate ok
; expect-exit: 0
bits 64
org 0x100000
%define UART_PUTHEX
%define UART_PUTDEC
ITERATIONS equ 2000
CANONICAL equ 0x00007FFFFFFFFFF8
MSR_COUNT equ 9

start:
        lea rdi, [rel idt]              ; an IDT for vectors 0-31: any fault is reported, not a triple fault
        lea rax, [rel fault_stubs]
        xor ecx, ecx
.gate:  mov rdx, rax
        mov [rdi], dx                   ; offset 15:0
        mov word [rdi + 2], 0x08        ; code selector
        mov word [rdi + 4], 0x8E00      ; present, DPL 0, 64-bit interrupt gate
        shr rdx, 16
        mov [rdi + 6], dx               ; offset 31:16
        shr rdx, 16
        mov [rdi + 8], edx              ; offset 63:32
        mov dword [rdi + 12], 0
        add rdi, 16
        add rax, FAULT_STUB_BYTES
        inc ecx
        cmp ecx, 32
        jb .gate
        lidt [rel idtr]
        mov eax, 3                      ; hypercall 3: this VM's id
        vmcall
        mov r15, rax
        lea rsi, [rel s_start]
        call puts
        mov rax, r15
        call putdec
        mov al, 10
        call putc
        mov rax, cr4
        or rax, (1 << 18) | (1 << 10) | (1 << 9) ; OSXSAVE (XSETBV, AVX), OSXMMEXCPT, OSFXSR (SSE)
        mov cr4, rax
        xor r14d, r14d                  ; iteration
.iter:  mov rax, r14                    ; seed = iteration * golden ratio ^ id * 0x0101..01
        mov rbx, 0x9E3779B97F4A7C15
        imul rax, rbx
        mov rbx, 0x0101010101010101
        imul rbx, r15
        xor rax, rbx
        mov r13, rax
        call write_all
        test r14d, 63
        jnz .halt
        mov ecx, 1000000
.spin:  dec ecx
        jnz .spin
.halt:  sti                             ; HLT with IF set: the scheduler runs the other VM
        hlt
        cli
        call check_all
        inc r14
        cmp r14, ITERATIONS
        jb .iter
        lea rsi, [rel s_ok]
        call puts
        mov rax, r14
        call putdec
        mov al, 10
        call putc
        mov eax, 2                      ; hypercall 2: exit 0
        xor ebx, ebx
        vmcall
        jmp $

; write_all: the iteration's values (from the seed in R13) into every register under test, and into want_*.
write_all:
        mov rax, r13
        mov cr2, rax
        mov [rel want_cr2], rax
        mov rbx, CANONICAL
        mov rax, r13
        rol rax, 8
        and rax, rbx
        mov dr0, rax
        mov [rel want_dr + 0], rax
        rol rax, 8
        and rax, rbx
        mov dr1, rax
        mov [rel want_dr + 8], rax
        rol rax, 8
        and rax, rbx
        mov dr2, rax
        mov [rel want_dr + 16], rax
        rol rax, 8
        and rax, rbx
        mov dr3, rax
        mov [rel want_dr + 24], rax
        mov rax, r13                    ; DR6: B0-B3, BD, BS, BT; the rest reads as 1 (SDM Vol. 3B 18.2.3)
        and eax, 0xE00F
        or eax, 0xFFFF0FF0
        mov dr6, rax
        mov [rel want_dr + 32], rax
        mov rax, r13                    ; DR7: LE/GE and R/W-LEN fields, no breakpoint enabled
        and eax, 0xDDDD0300
        or eax, 0x400
        mov dr7, rax
        mov [rel want_dr + 40], rax
        imul rax, r15, 7                ; CR8: the two VMs' values always differ (7 apart mod 16)
        add rax, r14
        and eax, 15
        mov cr8, rax
        mov [rel want_cr8], rax
        mov rax, r14                    ; XCR0: 3 or 7, opposite to the other VM's
        add rax, r15
        and eax, 1
        lea eax, [rax * 4 + 3]
        mov [rel want_xcr0], rax
        xor edx, edx
        xor ecx, ecx
        xsetbv
        lea rsi, [rel vec]
        mov rax, r13
        mov ecx, 64
        mov rbx, 0x9E3779B97F4A7C15
.fill:  add rax, rbx
        rol rax, 5
        mov [rsi], rax
        add rsi, 8
        loop .fill
        test byte [rel want_xcr0], 4
        jz .sse
        vmovdqu ymm0, [rel vec + 0]
        vmovdqu ymm1, [rel vec + 32]
        vmovdqu ymm2, [rel vec + 64]
        vmovdqu ymm3, [rel vec + 96]
        vmovdqu ymm4, [rel vec + 128]
        vmovdqu ymm5, [rel vec + 160]
        vmovdqu ymm6, [rel vec + 192]
        vmovdqu ymm7, [rel vec + 224]
        vmovdqu ymm8, [rel vec + 256]
        vmovdqu ymm9, [rel vec + 288]
        vmovdqu ymm10, [rel vec + 320]
        vmovdqu ymm11, [rel vec + 352]
        vmovdqu ymm12, [rel vec + 384]
        vmovdqu ymm13, [rel vec + 416]
        vmovdqu ymm14, [rel vec + 448]
        vmovdqu ymm15, [rel vec + 480]
        jmp .x87
.sse:
        movdqu xmm0, [rel vec + 0]
        movdqu xmm1, [rel vec + 32]
        movdqu xmm2, [rel vec + 64]
        movdqu xmm3, [rel vec + 96]
        movdqu xmm4, [rel vec + 128]
        movdqu xmm5, [rel vec + 160]
        movdqu xmm6, [rel vec + 192]
        movdqu xmm7, [rel vec + 224]
        movdqu xmm8, [rel vec + 256]
        movdqu xmm9, [rel vec + 288]
        movdqu xmm10, [rel vec + 320]
        movdqu xmm11, [rel vec + 352]
        movdqu xmm12, [rel vec + 384]
        movdqu xmm13, [rel vec + 416]
        movdqu xmm14, [rel vec + 448]
        movdqu xmm15, [rel vec + 480]
.x87:   fninit
        fild qword [rel vec + 0]
        fild qword [rel vec + 8]
        fild qword [rel vec + 16]
        fild qword [rel vec + 24]
        fild qword [rel vec + 32]
        fild qword [rel vec + 40]
        fild qword [rel vec + 48]
        fild qword [rel vec + 56]
        xor ebx, ebx                    ; MSRs from the table: value = rol(seed, 7k + 3) & mask
.msr:   mov ecx, [msr_table + rbx * 8]
        mov rax, r13
        push rcx
        lea ecx, [rbx * 8 - 1]
        sub ecx, ebx                    ; 7k - 1 ... + 4
        add ecx, 4
        rol rax, cl
        pop rcx
        and rax, [msr_mask + rbx * 8]
        mov [want_msr + rbx * 8], rax
        mov rdx, rax
        shr rdx, 32
        wrmsr
        inc ebx
        cmp ebx, MSR_COUNT
        jb .msr
        mov rsi, CANONICAL              ; GS base and KERNEL_GS_BASE, then SWAPGS exchanges them
        mov rax, r13
        ror rax, 11
        and rax, rsi
        mov [rel want_kgs], rax         ; GS base before SWAPGS = KERNEL_GS_BASE after
        mov rdx, rax
        shr rdx, 32
        mov ecx, 0xC0000101
        wrmsr
        mov rax, r13
        ror rax, 23
        and rax, rsi
        mov [rel want_gs], rax
        mov rdx, rax
        shr rdx, 32
        mov ecx, 0xC0000102
        wrmsr
        swapgs
        mov rax, 0x0007040600070406     ; PAT: the reset value or one with WC in entry 1 (entry 0 stays WB)
        test byte [rel want_xcr0], 4
        jz .pat
        mov rax, 0x0007040600070106
.pat:   mov [rel want_pat], rax
        mov rdx, rax
        shr rdx, 32
        mov ecx, 0x277
        wrmsr
        mov ecx, 0xC0000080             ; EFER.SCE follows the same bit
        rdmsr
        and eax, ~1
        test byte [rel want_xcr0], 4
        jz .efer
        or eax, 1
.efer:  mov [rel want_efer], eax
        mov [rel want_efer + 4], edx
        wrmsr
        ret

; check_all: every register under test must still hold what write_all put there.
check_all:
        mov rax, cr2
        mov rbx, [rel want_cr2]
        lea rsi, [rel n_cr2]
        call expect
        mov rax, dr0
        mov rbx, [rel want_dr + 0]
        lea rsi, [rel n_dr0]
        call expect
        mov rax, dr1
        mov rbx, [rel want_dr + 8]
        lea rsi, [rel n_dr1]
        call expect
        mov rax, dr2
        mov rbx, [rel want_dr + 16]
        lea rsi, [rel n_dr2]
        call expect
        mov rax, dr3
        mov rbx, [rel want_dr + 24]
        lea rsi, [rel n_dr3]
        call expect
        mov rax, dr6
        mov rbx, [rel want_dr + 32]
        lea rsi, [rel n_dr6]
        call expect
        mov rax, dr7
        mov rbx, [rel want_dr + 40]
        lea rsi, [rel n_dr7]
        call expect
        mov rax, cr8
        mov rbx, [rel want_cr8]
        lea rsi, [rel n_cr8]
        call expect
        xor ecx, ecx
        xgetbv
        shl rdx, 32
        or rax, rdx
        mov rbx, [rel want_xcr0]
        lea rsi, [rel n_xcr0]
        call expect
        test byte [rel want_xcr0], 4
        jz .sse
        vmovdqu [rel out + 0], ymm0
        vmovdqu [rel out + 32], ymm1
        vmovdqu [rel out + 64], ymm2
        vmovdqu [rel out + 96], ymm3
        vmovdqu [rel out + 128], ymm4
        vmovdqu [rel out + 160], ymm5
        vmovdqu [rel out + 192], ymm6
        vmovdqu [rel out + 224], ymm7
        vmovdqu [rel out + 256], ymm8
        vmovdqu [rel out + 288], ymm9
        vmovdqu [rel out + 320], ymm10
        vmovdqu [rel out + 352], ymm11
        vmovdqu [rel out + 384], ymm12
        vmovdqu [rel out + 416], ymm13
        vmovdqu [rel out + 448], ymm14
        vmovdqu [rel out + 480], ymm15
        mov r12d, 1                     ; compare all four qwords of each register
        jmp .vec
.sse:
        movdqu [rel out + 0], xmm0
        movdqu [rel out + 32], xmm1
        movdqu [rel out + 64], xmm2
        movdqu [rel out + 96], xmm3
        movdqu [rel out + 128], xmm4
        movdqu [rel out + 160], xmm5
        movdqu [rel out + 192], xmm6
        movdqu [rel out + 224], xmm7
        movdqu [rel out + 256], xmm8
        movdqu [rel out + 288], xmm9
        movdqu [rel out + 320], xmm10
        movdqu [rel out + 352], xmm11
        movdqu [rel out + 384], xmm12
        movdqu [rel out + 416], xmm13
        movdqu [rel out + 448], xmm14
        movdqu [rel out + 480], xmm15
        mov r12d, 0                     ; compare the low two qwords of each register
.vec:   xor r11d, r11d
.vecq:  mov eax, r11d
        and eax, 3
        cmp eax, 2
        jb .cmpq
        test r12d, r12d
        jz .nextq
.cmpq:  mov rax, [out + r11 * 8]
        mov rbx, [vec + r11 * 8]
        lea rsi, [rel n_vec]
        call expect
.nextq: inc r11d
        cmp r11d, 64
        jb .vecq
        fistp qword [rel out + 56]
        fistp qword [rel out + 48]
        fistp qword [rel out + 40]
        fistp qword [rel out + 32]
        fistp qword [rel out + 24]
        fistp qword [rel out + 16]
        fistp qword [rel out + 8]
        fistp qword [rel out + 0]
        xor r11d, r11d
.x87:   mov rax, [out + r11 * 8]
        mov rbx, [vec + r11 * 8]
        lea rsi, [rel n_x87]
        call expect
        inc r11d
        cmp r11d, 8
        jb .x87
        xor r11d, r11d
.msr:   mov ecx, [msr_table + r11 * 8]
        rdmsr
        shl rdx, 32
        or rax, rdx
        mov rbx, [want_msr + r11 * 8]
        lea rsi, [rel n_msr]
        call expect
        inc r11d
        cmp r11d, MSR_COUNT
        jb .msr
        rdtscp                          ; TSC_AUX as the guest's own RDTSCP sees it (no exit)
        mov eax, ecx
        mov rbx, [want_msr + 8 * 8]
        lea rsi, [rel n_rdtscp]
        call expect
        mov ecx, 0xC0000101
        rdmsr
        shl rdx, 32
        or rax, rdx
        mov rbx, [rel want_gs]
        lea rsi, [rel n_gs]
        call expect
        mov ecx, 0xC0000102
        rdmsr
        shl rdx, 32
        or rax, rdx
        mov rbx, [rel want_kgs]
        lea rsi, [rel n_kgs]
        call expect
        mov ecx, 0x277
        rdmsr
        shl rdx, 32
        or rax, rdx
        mov rbx, [rel want_pat]
        lea rsi, [rel n_pat]
        call expect
        mov ecx, 0xC0000080
        rdmsr
        shl rdx, 32
        or rax, rdx
        mov rbx, [rel want_efer]
        lea rsi, [rel n_efer]
        call expect
        ret

; expect: RAX (read back) must equal RBX (written); else "cpustate FAIL <name at RSI> iteration=N got=... want=..." and
; exit code 1. Preserves everything on success.
expect: cmp rax, rbx
        jne .fail
        ret
.fail:  push rbx
        push rax
        push rsi
        lea rsi, [rel s_fail]
        call puts
        pop rsi
        call puts
        lea rsi, [rel s_iter]
        call puts
        mov rax, r14
        call putdec
        lea rsi, [rel s_got]
        call puts
        pop rax
        call puthex
        lea rsi, [rel s_want]
        call puts
        pop rax
        call puthex
        mov al, 10
        call putc
        mov eax, 2                      ; hypercall 2: exit 1
        mov ebx, 1
        vmcall
        jmp $

; fault_stubs: one 8-byte stub per vector (push the vector, jump to fault), vectors 0-31.
FAULT_STUB_BYTES equ 8
        align FAULT_STUB_BYTES, db 0xCC
fault_stubs:
%assign v 0
%rep 32
        push qword v
        jmp near fault
        align FAULT_STUB_BYTES, db 0xCC
%assign v v + 1
%endrep

; fault: "cpustate FAIL exception vector=N rip=..." and exit code 1 (vectors with an error code push one more qword).
fault:  lea rsi, [rel s_exc]
        call puts
        mov rax, [rsp]
        call putdec
        lea rsi, [rel s_rip]
        call puts
        mov rax, [rsp]
        mov ecx, 0x27D00                ; vectors 8, 10-14, 17 push an error code
        bt ecx, eax
        mov rax, [rsp + 8]
        jnc .rip
        mov rax, [rsp + 16]
.rip:   call puthex
        mov al, 10
        call putc
        mov eax, 2
        mov ebx, 1
        vmcall
        jmp $

%include "uart64.inc"

s_exc:   db "cpustate FAIL exception vector=", 0
s_rip:   db " rip=", 0

s_start: db "cpustate start id=", 0
s_ok:    db "cpustate ok iterations=", 0
s_fail:  db "cpustate FAIL ", 0
s_iter:  db " iteration=", 0
s_got:   db " got=", 0
s_want:  db " want=", 0
n_cr2:   db "cr2", 0
n_dr0:   db "dr0", 0
n_dr1:   db "dr1", 0
n_dr2:   db "dr2", 0
n_dr3:   db "dr3", 0
n_dr6:   db "dr6", 0
n_dr7:   db "dr7", 0
n_cr8:   db "cr8", 0
n_xcr0:  db "xcr0", 0
n_vec:   db "xmm/ymm", 0
n_x87:   db "x87", 0
n_msr:   db "msr", 0
n_rdtscp: db "tsc_aux (rdtscp)", 0
n_gs:    db "gs_base after swapgs", 0
n_kgs:   db "kernel_gs_base after swapgs", 0
n_pat:   db "pat", 0
n_efer:  db "efer", 0

align 8
; STAR, LSTAR, CSTAR, FMASK, FS base, SYSENTER_CS/ESP/EIP, TSC_AUX (last: RDTSCP compares against it)
msr_table: dq 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000100, 0x174, 0x175, 0x176, 0xC0000103
msr_mask:  dq -1, CANONICAL, CANONICAL, 0xFFFFFFFF, CANONICAL, 0xFFFF, CANONICAL, CANONICAL, 0xFFFFFFFF

align 8
idtr:      dw 32 * 16 - 1
           dq idt
align 16
idt:       times 32 * 16 db 0
align 64
vec:       times 64 dq 0
out:       times 64 dq 0
want_cr2:  dq 0
want_dr:   times 6 dq 0
want_cr8:  dq 0
want_xcr0: dq 0
want_msr:  times MSR_COUNT dq 0
want_gs:   dq 0
want_kgs:  dq 0
want_pat:  dq 0
want_efer: dq 0
