; memcheck.asm - a long-mode guest that fills all of its RAM above 2 MiB with a pattern and reads it
; back: proves each VM has its own, complete memory (run two at once: different patterns, both ok).
; The pattern byte is (VM id & 0x7F) | 0x80 (VM id from hypercall 3), never 0, so fresh zeroed pages
; cannot pass for written ones. RAM size: the qword the loader stores at 0x500.
; loader: long (RAM > 2 MiB)
; expect: memcheck ok pattern=
; expect-exit: 0
bits 64
org 0x100000

start:
        mov rsp, 0x1FF000               ; the loader's stack is at the top of RAM, which we overwrite
        mov eax, 3                      ; hypercall 3: RAX = VM id
        vmcall
        and eax, 0x7F
        or eax, 0x80
        mov r12, rax                    ; pattern byte
        mov r13, [0x500]                ; RAM size
        mov r14, r13
        sub r14, 0x200000               ; bytes to check
        jbe fail_small

        mov rax, 0x0101010101010101     ; fill [2 MiB, RAM end) with the pattern in every byte
        imul rax, r12
        mov rdi, 0x200000
        mov rcx, r14
        shr rcx, 3
        rep stosq
        mov rdi, 0x200000               ; and verify
        mov rcx, r14
        shr rcx, 3
        repe scasq
        jne fail_at

        lea rsi, [rel s_ok]
        call puts
        mov rax, r12
        call puthex2
        lea rsi, [rel s_bytes]
        call puts
        mov rax, r14
        call putdec
        xor ebx, ebx
        jmp finish

fail_at:
        lea rsi, [rel s_fail]
        call puts
        lea rax, [rdi - 8]
        call puthex
        mov ebx, 1
        jmp finish
fail_small:
        lea rsi, [rel s_small]
        call puts
        mov ebx, 1
finish: mov al, 10
        call putc
        mov dx, 0xF4                    ; exit with code EBX
        mov eax, ebx
        out dx, eax
        jmp $

%define UART_PUTHEX
%define UART_PUTDEC
%include "uart64.inc"

s_ok:      db "memcheck ok pattern=", 0
s_bytes:   db " bytes=", 0
s_fail:    db "memcheck FAIL at 0x", 0
s_small:   db "memcheck FAIL ram too small", 0
