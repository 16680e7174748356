; primed.asm - a guest with a slow boot that then says it is ready (hypercall 4). A template made from it is
; primed: its clones start right after the ready call, so their first console line is "primed ready", never
; "primed booting". Each run also prints its own random seed (hypercall 5), which must differ between clones.
; loader: real
; expect: primed booting
; expect: primed ready seed=
; expect-exit: 0
bits 16
org 0x8000

start:
        cli
        mov si, s_boot
        call puts
        mov ecx, 0x400000               ; the "expensive" boot path: 8M instructions
.boot:  dec ecx
        jnz .boot
        mov eax, 4                      ; hypercall Ready: a primed template is captured here
        vmcall
        mov eax, 5                      ; hypercall GetSeed: EDX:EAX (low half of the 128-bit seed)
        vmcall
        mov [seed], eax
        mov [seed + 4], edx
        mov si, s_ready
        call puts
        mov eax, [seed + 4]
        call puthex32
        mov eax, [seed]
        call puthex32
        mov al, 10
        call putc
        mov dx, 0xF4
        xor eax, eax
        out dx, eax
        jmp $

%define UART_PUTHEX32
%include "uart16.inc"

s_boot:  db "primed booting", 10, 0
s_ready: db "primed ready seed=", 0
seed:    dd 0, 0
