; cowclone.asm - the copy-on-write check for clones of a primed template. Before it is ready the template fills
; 64 KiB (0x20000-0x2FFFF) with 0xA5. Each clone then checks it still sees the template's bytes, writes its own
; VM id over all of them, pauses long enough for the other clones to run and write theirs, and checks it reads
; back only its own.
; loader: real
; expect: cow template ok
; expect: cow own ok id=
; expect-exit: 0
bits 16
org 0x8000

REGION_SEG equ 0x2000                   ; 0x20000, 64 KiB

start:
        cli
        mov ax, REGION_SEG
        mov es, ax
        xor di, di
        mov ax, 0xA5A5
        mov cx, 0x8000
        rep stosw                       ; the template's content (written once, before it is primed)
        mov eax, 4                      ; hypercall Ready: clones start below
        vmcall

        mov ax, REGION_SEG
        mov es, ax
        mov bl, 0xA5
        call check
        jnz fail
        mov si, s_template
        call puts

        mov eax, 3                      ; hypercall GetVmId
        vmcall
        mov [id], al
        xor di, di
        mov cx, 0x8000
        mov ah, al
        rep stosw                       ; every byte := this VM's id (low byte)

        mov ecx, 0x300000               ; let the other clones run (longer than a time slice)
.pause: dec ecx
        jnz .pause

        mov bl, [id]
        call check
        jnz fail
        mov si, s_own
        call puts
        mov al, [id]
        call puthex8
        mov al, 10
        call putc
        mov dx, 0xF4
        xor eax, eax
        out dx, eax
        jmp $

fail:   push ax
        push di
        mov si, s_fail
        call puts
        pop ax                          ; where: the offset of the first byte that differs
        xchg al, ah
        call puthex8
        xchg al, ah
        call puthex8
        mov al, ' '
        call putc
        pop ax                          ; what: the word found there
        call puthex8
        mov al, 10
        call putc
        mov dx, 0xF4
        mov eax, 1
        out dx, eax
        jmp $

; check: ZF set when all 64 KiB at ES:0 equal BL.
check:  xor di, di
        mov cx, 0x8000
.next:  mov ax, [es:di]
        cmp al, bl
        jne .done
        cmp ah, bl
        jne .done
        add di, 2
        loop .next
        cmp al, al
.done:  ret

%define UART_PUTHEX8
%include "uart16.inc"

s_template: db "cow template ok", 10, 0
s_own:      db "cow own ok id=", 0
s_fail:     db "cow FAIL at ", 0
id:         db 0
