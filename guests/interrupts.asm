; interrupts.asm - event injection and string I/O. Vector 0x41 (hypercall 7) raised with IF=0 must wait for the
; interrupt window and arrive right after STI; raised with IF=1 it arrives at once, each exactly once. Then REP OUTSB
; to the UART, REP INSB from an unclaimed port (all ones), and a backwards (STD) REP INSB from the UART scratch register.
; loader: real
; expect: irq held while cli
; expect: irq delivered after sti
; expect: irq delivered 4 times
; expect: rep outsb to the uart ok
; expect: rep insb ok
; expect-exit: 0
bits 16
org 0x8000

VECTOR equ 0x41

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov word [VECTOR * 4], handler          ; the real-mode IDT (IVT) entry: offset, segment
        mov word [VECTOR * 4 + 2], 0
        call raise
        mov cx, 20                              ; exits with IF=0: the hypervisor must not inject
.held:  mov dx, 0x3FF
        out dx, al
        loop .held
        cmp word [count], 0
        jne fail
        mov si, s_held
        call puts
        sti                                     ; the window opens after the STI shadow
        nop
        cli
        cmp word [count], 1
        jne fail
        mov si, s_after
        call puts
        sti
        call raise                              ; IF=1: injected as the VMCALL completes
        call raise
        call raise
        cli
        cmp word [count], 4
        jne fail
        mov si, s_four
        call puts

        cld                                     ; REP OUTSB: the message straight to the UART
        mov si, s_outs
        mov cx, s_outs_len
        mov dx, 0x3F8
        rep outsb
        test cx, cx
        jnz fail
        cmp si, s_outs + s_outs_len
        jne fail

        mov dx, 0x80                            ; REP INSB from a port nobody claims: all ones
        mov di, buffer
        mov cx, 4
        rep insb
        cmp dword [buffer], 0xFFFFFFFF
        jne fail
        cmp di, buffer + 4
        jne fail
        mov dx, 0x3FF                           ; scratch register = 0x5A, read back twice going down
        mov al, 0x5A
        out dx, al
        std
        mov di, buffer + 7
        mov cx, 2
        rep insb
        cld
        cmp word [buffer + 6], 0x5A5A
        jne fail
        cmp di, buffer + 5
        jne fail
        mov si, s_ins
        call puts

        mov dx, 0xF4
        xor eax, eax
        out dx, eax
        jmp $

; hypercall 7 RaiseInterrupt(RBX = VECTOR)
raise:  mov eax, 7
        mov ebx, VECTOR
        vmcall
        test eax, eax
        jnz fail
        ret

handler:
        inc word [cs:count]
        iret

fail:   cli
        mov si, s_fail
        call puts
        mov dx, 0xF4
        mov eax, 1
        out dx, eax
        jmp $

%include "uart16.inc"

count:   dw 0
s_held:  db "irq held while cli", 10, 0
s_after: db "irq delivered after sti", 10, 0
s_four:  db "irq delivered 4 times", 10, 0
s_outs:  db "rep outsb to the uart ok", 10
s_outs_len equ $ - s_outs
s_ins:   db "rep insb ok", 10, 0
s_fail:  db "interrupts FAIL", 10, 0
buffer:  times 8 db 0
