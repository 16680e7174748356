; ioports.asm - hostile: IN then OUT (byte, value 0) on every port 0-0xFFFF except the UART
; (0x3F8-0x3FF) and the dword-wide exit port (0xF4-0xF7) - including PIC, PIT, keyboard-controller
; reset and PCI config ports. Whatever the device models do with that, the host must survive and the guest must get here.
; Finally a string I/O instruction (REP INSB) from an unclaimed port, which must fill its buffer with all ones.
; loader: real
; expect: io start
; expect: io done
; expect-exit: 0
bits 16
org 0x8000

start:  cli
        mov si, s_start
        call puts
        xor dx, dx
.port:  cmp dx, 0xF4
        jb .uart
        cmp dx, 0xF7
        jbe .skip
.uart:  cmp dx, 0x3F8
        jb .touch
        cmp dx, 0x3FF
        jbe .skip
.touch: in al, dx
        xor al, al
        out dx, al
.skip:  inc dx
        jnz .port                       ; until DX wraps to 0
        mov si, s_done
        call puts
        mov dx, 0x80
        mov di, buffer
        mov cx, 4
        rep insb
        mov eax, 1
        cmp dword [buffer], 0xFFFFFFFF
        je .ok
        mov si, s_fail
        call puts
        jmp .exit
.ok:    xor eax, eax
.exit:  mov dx, 0xF4
        out dx, eax
        jmp $

%include "uart16.inc"

s_start: db "io start", 10, 0
s_done:  db "io done", 10, 0
s_fail:  db "io FAIL string I/O did not read all ones", 10, 0
buffer:  times 4 db 0
