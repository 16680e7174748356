; long64.asm - the smallest long-mode guest: reports ready, greets over the UART and over the console
; hypercall, and exits through the exit hypercall (port 0xF4 with code 1 only if that returned).
; loader: long
; expect: hello from long mode
; expect: hello via hypercall
; expect-exit: 0
bits 64
org 0x100000

start:
        mov eax, 4                      ; hypercall 4: ready
        vmcall
        lea rsi, [rel msg]
        call puts
        mov eax, 1                      ; hypercall 1: console write RBX = GPA, RCX = length
        lea rbx, [rel msg2]             ; identity-mapped, so the linear address is the GPA
        mov ecx, msg2_len
        vmcall
        mov eax, 2                      ; hypercall 2: exit with code RBX
        xor ebx, ebx
        vmcall
        mov dx, 0xF4                    ; not reached unless hypercall 2 failed to stop the VM
        mov eax, 1
        out dx, eax
        jmp $

%include "uart64.inc"

msg:    db "hello from long mode", 10, 0
msg2:   db "hello via hypercall", 10
msg2_len equ $ - msg2
