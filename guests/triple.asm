; triple.asm - hostile: loads an empty IDT (limit 0) and divides by zero. #DE cannot be delivered
; (vector beyond the IDT limit) -> #GP, which cannot be delivered either -> #DF -> shutdown, which
; VT-x reports as a triple-fault exit (SDM 25.2). The hypervisor must stop only this VM.
; loader: real
; expect: triple start
; expect-stop: triple-fault
bits 16
org 0x8000

start:  cli
        mov si, s_start
        call puts
        lidt [empty_idt]
        xor ax, ax
        div ax
        mov si, s_fail
        call puts
        mov dx, 0xF4
        mov eax, 1
        out dx, eax
        jmp $

%include "uart16.inc"

empty_idt: dw 0                         ; limit
           dd 0                         ; base
s_start:   db "triple start", 10, 0
s_fail:    db "triple FAIL fault survived", 10, 0
