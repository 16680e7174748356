; oob.asm - hostile: reads, then writes, far beyond its RAM (1 GiB; run it with less RAM than that).
; Paging is off, so the address goes straight to the EPT, which has nothing there: the first access
; must stop the VM with an EPT violation. A "FAIL" line means an access went through.
; loader: multiboot (RAM < 1 GiB)
; expect: oob start
; expect-stop: ept-violation
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ (1 << 16)

header: dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)
        dd header, header, 0, 0, start  ; header, load, load_end (whole file), no bss, entry

start:  mov esi, s_start
        call puts
        mov eax, [0x40000000]
        mov esi, s_read
        call puts
        mov dword [0x40000000], 0xDEADBEEF
        mov esi, s_write
        call puts
        mov dx, 0xF4
        mov eax, 1
        out dx, eax
        jmp $

%include "uart32.inc"

s_start: db "oob start", 10, 0
s_read:  db "oob FAIL read beyond RAM survived", 10, 0
s_write: db "oob FAIL write beyond RAM survived", 10, 0
