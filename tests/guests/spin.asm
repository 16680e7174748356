; spin.asm - hostile: interrupts off, then an endless loop with no exit-causing instruction. Only the
; VMX-preemption timer gets the CPU back; the scheduler must keep other VMs running, and the VM stops
; only when the host stops it.
; loader: real
; expect: spin start
; expect-stop: none (runs until stopped by the host)
bits 16
org 0x8000

start:  cli
        mov si, s_start
        call puts
.spin:  jmp .spin

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

s_start: db "spin start", 10, 0
