; cpuid.asm - a real-mode guest that checks what CPUID shows it and measures exit costs.
; Leaf 0x40000000 must carry the hypervisor's vendor signature; leaf 1 must hide VMX (ECX bit 5 = 0)
; and announce a hypervisor (ECX bit 31 = 1). Then TSC ticks per CPUID exit and per UART write exit
; (1000 of each; the UART target is the scratch register 0x3FF, which has no side effects).
; loader: real
; expect: cpuid hv=
; expect: cpuid vmx=0 hypervisor=1 ok
; expect: cpuid_exit_tsc=
; expect: uart_write_exit_tsc=
; expect-exit: 0
bits 16
org 0x8000

start:
        cli
        mov eax, 0x40000000
        cpuid
        mov [sig], ebx
        mov [sig + 4], ecx
        mov [sig + 8], edx
        mov si, s_hv
        call puts
        mov si, sig
        call puts
        mov si, s_nl
        call puts

        mov eax, 1
        cpuid
        mov si, s_vmx0                  ; "cpuid vmx=0"
        test ecx, 1 << 5
        jz .vmx
        mov si, s_vmx1
.vmx:   call puts
        mov si, s_hyp0
        test ecx, 1 << 31
        jz .hyp
        mov si, s_hyp1
.hyp:   call puts
        mov si, s_ok
        and ecx, (1 << 31) | (1 << 5)
        cmp ecx, 1 << 31
        je .verdict
        mov si, s_fail
.verdict:
        call puts

        rdtsc                           ; 1000 x CPUID
        mov [t0], eax
        mov [t0 + 4], edx
        mov bp, 1000
.c:     xor eax, eax
        cpuid
        dec bp
        jnz .c
        mov si, s_cpuid_tsc
        call report

        rdtsc                           ; 1000 x OUT to the UART scratch register
        mov [t0], eax
        mov [t0 + 4], edx
        mov bp, 1000
        mov dx, 0x3FF
.u:     out dx, al
        dec bp
        jnz .u
        mov si, s_uart_tsc
        call report

        mov dx, 0xF4                    ; exit 0
        xor eax, eax
        out dx, eax
        jmp $

; report: print the label at SI, then (TSC now - [t0]) / 1000 in decimal and a newline.
report: rdtsc
        sub eax, [t0]
        sbb edx, [t0 + 4]
        mov ebx, eax                    ; 64/32 division in two steps so a large delta cannot #DE
        mov eax, edx
        xor edx, edx
        mov ecx, 1000
        div ecx
        mov eax, ebx
        div ecx
        push eax
        call puts
        pop eax
        call putdec
        mov si, s_nl
        jmp puts

%define UART_PUTDEC
%include "uart16.inc"

s_hv:       db "cpuid hv=", 0
s_vmx0:     db "cpuid vmx=0", 0
s_vmx1:     db "cpuid vmx=1", 0
s_hyp0:     db " hypervisor=0", 0
s_hyp1:     db " hypervisor=1", 0
s_ok:       db " ok", 10, 0
s_fail:     db " FAIL", 10, 0
s_cpuid_tsc: db "cpuid_exit_tsc=", 0
s_uart_tsc: db "uart_write_exit_tsc=", 0
s_nl:       db 10, 0
sig:        times 12 db 0
            db 0                        ; NUL after the 12 signature bytes
t0:         dq 0
