; hosthit.asm - hostile: scribbles over guest-physical 1-2 MiB, where the hypervisor itself sits in
; host-physical memory. Under EPT that range is just this guest's own RAM, so the writes land there and
; read back. Then it writes the first byte past the end of its RAM (from mem_upper), which must stop the
; VM with an EPT violation. Loaded at 2 MiB so it does not overwrite itself.
; loader: multiboot (RAM >= 4 MiB)
; expect: hosthit wrote 0x100000-0x1fffff: own RAM
; expect: hosthit writing past RAM end
; expect-stop: ept-violation
bits 32
org 0x200000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ (1 << 1) | (1 << 16)       ; memory information; address fields valid

header: dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)
        dd header, header, 0, 0, start  ; header, load, load_end (whole file), no bss, entry

start:  mov ebp, ebx                    ; Multiboot info block
        mov edi, 0x100000               ; fill 1 MiB at 1 MiB with a pattern...
        mov ecx, 0x100000 / 4
        mov eax, 0xDEADBEEF
        rep stosd
        mov edi, 0x100000               ; ...and read it back
        mov ecx, 0x100000 / 4
        repe scasd
        mov esi, s_own
        je .report
        mov esi, s_lost
.report:
        call puts
        mov esi, s_past
        call puts
        mov edi, [ebp + 8]              ; RAM end = (mem_upper + 1024) KiB
        add edi, 1024
        shl edi, 10
        mov dword [edi], 0xDEADBEEF
        mov esi, s_fail
        call puts
        mov dx, 0xF4
        mov eax, 1
        out dx, eax
        jmp $

%include "uart32.inc"

s_own:  db "hosthit wrote 0x100000-0x1fffff: own RAM", 10, 0
s_lost: db "hosthit FAIL 0x100000-0x1fffff did not read back", 10, 0
s_past: db "hosthit writing past RAM end", 10, 0
s_fail: db "hosthit FAIL write past RAM end survived", 10, 0
