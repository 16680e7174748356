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

%include "uart16.inc"

s_start: db "spin start", 10, 0
