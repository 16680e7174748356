; hello.asm - a real-mode guest that greets five times with a pause between lines, so the consoles of
; two VMs running at once visibly interleave.
; loader: real
; expect: hello from guest 1
; expect: hello from guest 2
; expect: hello from guest 3
; expect: hello from guest 4
; expect: hello from guest 5
; expect-exit: 0
bits 16
org 0x8000

start:
        cli
        mov bl, '1'
.line:  mov si, msg
        call puts
        mov al, bl
        call putc
        mov al, 10
        call putc
        mov ecx, 0x180000               ; busy pause longer than a 2M-tick time slice: the scheduler switches VMs
.pause: dec ecx
        jnz .pause
        inc bl
        cmp bl, '6'
        jne .line
        mov dx, 0xF4                    ; exit port: out dword = exit code
        xor eax, eax
        out dx, eax
        jmp $

%include "uart16.inc"

msg:    db "hello from guest ", 0
