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

; putdec: print EAX in decimal.
putdec: push ebx
        mov ebx, 10
        xor cx, cx
.div:   xor edx, edx
        div ebx
        push dx
        inc cx
        test eax, eax
        jnz .div
.emit:  pop ax
        add al, '0'
        call putc
        loop .emit
        pop ebx
        ret

; puthex32: print EAX as 8 hex digits.
puthex32:
        mov cx, 8
.digit: rol eax, 4
        push eax
        and al, 0x0F
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '0' - 10
.out:   call putc
        pop eax
        loop .digit
        ret

; puts: print the NUL-terminated string at DS:SI.
puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

; putc: print AL on the 16550 once its transmit holding register is empty (LSR bit 5).
putc:   push dx
        push ax
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop ax
        mov dx, 0x3F8
        out dx, al
        pop dx
        ret

s_tick: db "tick ", 0
s_sum:  db " sum=", 0
