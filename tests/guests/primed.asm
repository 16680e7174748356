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

s_boot:  db "primed booting", 10, 0
s_ready: db "primed ready seed=", 0
seed:    dd 0, 0
