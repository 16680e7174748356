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

; puthex: RAX as 16 hex digits; puthex2: AL as 2 hex digits.
puthex: mov ecx, 16
        jmp hexloop
puthex2:
        shl rax, 56
        mov ecx, 2
hexloop:
        rol rax, 4
        push rax
        and eax, 0xF
        lea r8, [rel hexdigits]
        movzx eax, byte [r8 + rax]
        call putc
        pop rax
        dec ecx
        jnz hexloop
        ret

; putdec: RAX in decimal.
putdec: mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div rbx
        push rdx
        inc ecx
        test rax, rax
        jnz .div
.out:   pop rax
        add al, '0'
        call putc
        dec ecx
        jnz .out
        ret

; puts: print the NUL-terminated string at RSI.
puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

; putc: print AL on the 16550 once its transmit holding register is empty (LSR bit 5).
putc:   push rdx
        push rax
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop rax
        mov dx, 0x3F8
        out dx, al
        pop rdx
        ret

hexdigits: db "0123456789abcdef"
s_ok:      db "memcheck ok pattern=", 0
s_bytes:   db " bytes=", 0
s_fail:    db "memcheck FAIL at 0x", 0
s_small:   db "memcheck FAIL ram too small", 0
