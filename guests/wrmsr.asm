; wrmsr.asm - hostile: WRMSR of values the hypervisor must refuse. A #GP handler in the real-mode IVT
; prints "gp" and skips the 2-byte WRMSR, so each line shows whether that write was refused ("gp") or
; accepted ("ok"): EFER with reserved bits, a non-canonical LSTAR, IA32_FEATURE_CONTROL (locked, and
; VMX is the hypervisor's) must be refused; a canonical LSTAR is legal and must be accepted.
; loader: real
; expect: wrmsr efer=gp
; expect: wrmsr lstar_noncanonical=gp
; expect: wrmsr lstar=ok
; expect: wrmsr feature_control=gp
; expect: wrmsr done
; expect-exit: 0
bits 16
org 0x8000

%macro try_wrmsr 4                      ; label string, MSR, EDX, EAX
        mov si, %1
        call puts
        mov byte [faulted], 0
        mov ecx, %2
        mov edx, %3
        mov eax, %4
        wrmsr
        call verdict
%endmacro

start:  cli
        mov word [13 * 4], gp_handler   ; IVT vector 13 (#GP) -> 0000:gp_handler
        mov word [13 * 4 + 2], 0
        try_wrmsr s_efer, 0xC0000080, 0xFFFFFFFF, 0xFFFF0000
        try_wrmsr s_lstar_nc, 0xC0000082, 0x80000000, 0
        try_wrmsr s_lstar, 0xC0000082, 0xFFFFFFFF, 0x80001000
        try_wrmsr s_featctl, 0x3A, 0, 0
        mov si, s_done
        call puts
        mov dx, 0xF4
        xor eax, eax
        out dx, eax
        jmp $

; verdict: finish the line with "ok" unless the handler already printed "gp".
verdict:
        cmp byte [faulted], 0
        jne .nl
        mov si, s_ok
        call puts
.nl:    mov al, 10
        jmp putc

; Real-mode #GP pushes FLAGS, CS, IP (no error code): step IP over the WRMSR (0F 30) and return.
gp_handler:
        pusha
        mov bp, sp
        add word [bp + 16], 2           ; the IP pushed by the exception, above PUSHA's 8 words
        mov byte [faulted], 1
        mov si, s_gp
        call puts
        popa
        iret

%include "uart16.inc"

faulted:    db 0
s_efer:     db "wrmsr efer=", 0
s_lstar_nc: db "wrmsr lstar_noncanonical=", 0
s_lstar:    db "wrmsr lstar=", 0
s_featctl:  db "wrmsr feature_control=", 0
s_gp:       db "gp", 0
s_ok:       db "ok", 0
s_done:     db "wrmsr done", 10, 0
