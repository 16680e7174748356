; Exception entry stubs: each pushes a uniform frame (vector, error code, all GPRs) and calls the C# handler
; hv_exception(frame*). The C# side prints a readable panic and halts, so these never return for faults.
bits 64
section .text
extern hv_exception

%macro isr_noerr 1
isr_%1:
    push 0
    push %1
    jmp isr_common
%endmacro
%macro isr_err 1
isr_%1:
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 32
  %if v = 8 || (v >= 10 && v <= 14) || v = 17 || v = 21 || v = 29 || v = 30
    isr_err v
  %else
    isr_noerr v
  %endif
  %assign v v + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    and rsp, ~15
    call hv_exception
.hang:
    cli
    hlt
    jmp .hang

section .rodata
align 8
global hv_isr_table
hv_isr_table:
%assign v 0
%rep 32
    dq isr_%+v
  %assign v v + 1
%endrep

section .text
; ulong* hv_isr_stubs(): the table of the 32 stub addresses above.
global hv_isr_stubs
hv_isr_stubs:
    mov rax, hv_isr_table
    ret

; Legacy IRQs (vectors 0x20-0x2F after the kernel remaps the 8259s) only wake the host from HLT: the management
; loop polls the device afterwards. Acknowledge both PICs and return.
global hv_irq_stub
hv_irq_stub:
    push rax
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop rax
    iretq

; void hv_wait_for_interrupt(): sleep until the next interrupt (STI's one-instruction shadow covers the HLT,
; so an interrupt that is already pending still wakes it).
global hv_wait_for_interrupt
hv_wait_for_interrupt:
    sti
    hlt
    cli
    ret

global hv_irq_stub_address
hv_irq_stub_address:
    mov rax, hv_irq_stub
    ret
