; mbkernel.asm - a Multiboot v1 kernel using the a.out kludge (load at 1 MiB, 4 KiB bss as its stack).
; Checks the loader's magic in EAX and prints mem_upper and the command line from the info block (EBX), then each
; module of the mods list (flag bit 3) as "mb module NAME: CONTENTS" (its contents are text: mbkernel-config.txt).
; loader: multiboot
; expect: mb magic ok
; expect: mb mem_upper=
; expect: mb cmdline=
; expect: mb module mbkernel-config: hello from a multiboot module
; expect-exit: 0
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ (1 << 1) | (1 << 16)       ; memory information; address fields valid

header: dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)
        dd header                       ; header_addr
        dd header                       ; load_addr: the file starts with the header
        dd load_end                     ; load_end_addr
        dd bss_end                      ; bss_end_addr: zeroed by the loader
        dd start                        ; entry_addr

start:  mov esp, bss_end
        cmp eax, 0x2BADB002
        jne bad_magic
        mov ebp, ebx                    ; info block
        mov esi, s_magic
        call puts
        test dword [ebp], 1 << 0        ; flags bit 0: mem_lower/mem_upper valid
        jz .nomem
        mov esi, s_upper
        call puts
        mov eax, [ebp + 8]
        call putdec
        mov al, 10
        call putc
.nomem: test dword [ebp], 1 << 2        ; flags bit 2: cmdline valid
        jz .done
        mov esi, s_cmdline
        call puts
        mov esi, [ebp + 16]
        call puts
        mov al, 10
        call putc
.done:  test dword [ebp], 1 << 3        ; flags bit 3: mods_count/mods_addr valid
        jz .ok
        mov ecx, [ebp + 20]             ; mods_count
        mov edi, [ebp + 24]             ; mods_addr: 16-byte entries (start, end, string, reserved)
.mod:   jecxz .ok
        mov esi, s_module
        call puts
        mov esi, [edi + 8]
        call puts
        mov al, ':'
        call putc
        mov al, ' '
        call putc
        mov esi, [edi]
.byte:  cmp esi, [edi + 4]
        jae .next
        lodsb
        call putc
        jmp .byte
.next:  add edi, 16
        dec ecx
        jmp .mod
.ok:    xor eax, eax
        jmp exit
bad_magic:
        mov esi, s_bad
        call puts
        mov eax, 1
exit:   mov dx, 0xF4                    ; exit with code EAX
        out dx, eax
        jmp $

%define UART_PUTDEC
%include "uart32.inc"

s_magic:   db "mb magic ok", 10, 0
s_upper:   db "mb mem_upper=", 0
s_cmdline: db "mb cmdline=", 0
s_module:  db "mb module ", 0
s_bad:     db "mb bad magic", 10, 0
load_end:
bss_end equ load_end + 4096
