; ticker.asm - runs until stopped, printing "tick N sum=S" at a steady pace. S is a checksum over a 16 KiB
; table (0x30000) that every tick updates, so the pair (N, S) fingerprints both the registers and the memory:
; after a snapshot is restored, or a VM moves to another host, the lines continue exactly as they would have.
; loader: real
; expect: tick 1 sum=
; expect: tick 2 sum=
; expect-stop: none (runs until stopped by the host)
bits 16
org 0x8000

TABLE_SEG equ 0x3000

start:
        cli
        mov ax, TABLE_SEG
        mov es, ax
        xor ebx, ebx                    ; EBX = tick count (kept in a register on purpose)
.tick:  inc ebx
        ; table[i] += i * tick (32-bit words), and sum them all
        xor edx, edx                    ; EDX = sum
        xor di, di
        xor esi, esi                    ; ESI = i
.upd:   mov eax, esi
        imul eax, ebx
        add eax, [es:di]
        mov [es:di], eax
        add edx, eax
        add di, 4
        inc esi
        cmp esi, 4096
        jne .upd
        push edx
        mov si, s_tick
        call puts
        mov eax, ebx
        call putdec
        mov si, s_sum
        call puts
        pop eax
        call puthex32
        mov al, 10
        call putc
        mov ecx, 0x200000               ; pace: about 4M instructions per tick
.pace:  dec ecx
        jnz .pace
        jmp .tick

%define UART_PUTDEC
%define UART_PUTHEX32
%include "uart16.inc"

s_tick: db "tick ", 0
s_sum:  db " sum=", 0
