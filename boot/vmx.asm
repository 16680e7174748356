; VMX instructions for the C# kernel, and the guest entry/exit path.
; Status convention for the wrappers: 0 = success, 1 = VMfailInvalid (CF), 2 = VMfailValid (ZF; the reason is in
; the VM-instruction error field). SDM Vol. 3C 30.2.
bits 64
section .text

%macro vmx_status 0
    jc %%invalid
    jz %%valid
    xor eax, eax
    ret
%%invalid:
    mov eax, 1
    ret
%%valid:
    mov eax, 2
    ret
%endmacro

global hv_vmxon
hv_vmxon:                 ; int hv_vmxon(ulong* physicalRegionAddress)
    vmxon [rdi]
    vmx_status

global hv_vmclear
hv_vmclear:               ; int hv_vmclear(ulong* physicalVmcsAddress)
    vmclear [rdi]
    vmx_status

global hv_vmptrld
hv_vmptrld:               ; int hv_vmptrld(ulong* physicalVmcsAddress)
    vmptrld [rdi]
    vmx_status

global hv_vmwrite
hv_vmwrite:               ; int hv_vmwrite(ulong field, ulong value)
    vmwrite rdi, rsi
    vmx_status

global hv_vmread
hv_vmread:                ; ulong hv_vmread(ulong field)
    vmread rax, rdi
    ret

global hv_invept
hv_invept:                ; int hv_invept(ulong type, void* descriptor)
    invept rdi, [rsi]
    vmx_status

global hv_invvpid
hv_invvpid:               ; int hv_invvpid(ulong type, void* descriptor)
    invvpid rdi, [rsi]
    vmx_status

global hv_vmx_exit_address
hv_vmx_exit_address:      ; the host RIP written into every VMCS
    mov rax, vmx_exit
    ret

; long hv_vmx_run(ulong* registers, int launched, void* xsaveArea, ulong* exitInfo)
; Enters the guest whose VMCS is current. The guest's registers are loaded from and saved to `registers`
; (GuestRegisters order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 rip rflags cr2; RSP, RIP and RFLAGS go through the
; VMCS here, so the C# side needs no VMREAD/VMWRITE calls for them; CR2 has no VMCS field, SDM 27.3.1), its x87/SSE/AVX
; state from and to `xsaveArea`, because the C# exit handlers use SSE registers freely.
; exitInfo[3..5] say how: [3] = the XSAVE/XRSTOR component mask (0: the CPU has no XSAVE, use FXSAVE/FXRSTOR),
; [4] = XCR0 while the guest runs, [5] = the host's XCR0, a superset of every guest's (XSETBV only when the two
; differ; XSAVE/XRSTOR run under the host's, so x87/SSE are kept even for a guest whose XCR0 is 1; SDM Vol. 1 13.7-13.8).
; After an exit, exitInfo[0..2] hold the exit qualification, the exit instruction length and the guest
; interruptibility state: the fields nearly every handler reads, fetched here without a call each.
; Returns the exit reason field after a VM exit, or -1 / -2 (VMfailInvalid / VMfailValid) when entry failed.
global hv_vmx_run
hv_vmx_run:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                  ; [rsp+16]: registers
    push rdx                  ; [rsp+8]:  xsave area
    push rcx                  ; [rsp]:    exit information
    mov rax, 0x6C14           ; HOST_RSP: the exit path finds the two pointers above on this stack
    vmwrite rax, rsp
    mov rax, 0x681C           ; GUEST_RSP
    vmwrite rax, [rdi + 32]
    mov rax, 0x681E           ; GUEST_RIP
    vmwrite rax, [rdi + 128]
    mov rax, 0x6820           ; GUEST_RFLAGS
    vmwrite rax, [rdi + 136]
    mov r8, [rcx + 24]        ; XRSTOR mask
    test r8, r8
    jz .legacy_restore
    mov r9, rdx               ; restore under the host's XCR0 (a superset of the guest's), then switch XCR0
    mov rax, r8
    mov rdx, r8
    shr rdx, 32
    xrstor [r9]
    mov rax, [rcx + 32]       ; the guest's XCR0
    cmp rax, [rcx + 40]
    je .cr2
    mov rdx, rax
    shr rdx, 32
    xor ecx, ecx
    xsetbv
    jmp .cr2
.legacy_restore:
    fxrstor [rdx]
.cr2:
    mov rax, cr2              ; writing CR2 serialises: only when another guest (or fault) changed it
    cmp rax, [rdi + 144]
    je .cr2_set
    mov rax, [rdi + 144]
    mov cr2, rax
.cr2_set:
    test esi, esi             ; mov does not touch flags: the branch below still sees this
    mov rax, [rdi + 0]
    mov rcx, [rdi + 8]
    mov rdx, [rdi + 16]
    mov rbx, [rdi + 24]
    mov rbp, [rdi + 40]
    mov rsi, [rdi + 48]
    mov r8,  [rdi + 64]
    mov r9,  [rdi + 72]
    mov r10, [rdi + 80]
    mov r11, [rdi + 88]
    mov r12, [rdi + 96]
    mov r13, [rdi + 104]
    mov r14, [rdi + 112]
    mov r15, [rdi + 120]
    mov rdi, [rdi + 56]
    jnz .resume
    vmlaunch
    jmp .failed
.resume:
    vmresume
.failed:
    mov rax, -1
    jc .unwind
    mov rax, -2
.unwind:
    add rsp, 24
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

vmx_exit:
    push rdi                  ; guest rdi; now [rsp+8] = exit information, [rsp+16] = xsave area, [rsp+24] = registers
    mov rdi, [rsp + 24]
    mov [rdi + 0], rax
    mov [rdi + 8], rcx
    mov [rdi + 16], rdx
    mov [rdi + 24], rbx
    mov [rdi + 40], rbp
    mov [rdi + 48], rsi
    mov [rdi + 64], r8
    mov [rdi + 72], r9
    mov [rdi + 80], r10
    mov [rdi + 88], r11
    mov [rdi + 96], r12
    mov [rdi + 104], r13
    mov [rdi + 112], r14
    mov [rdi + 120], r15
    pop rax
    mov [rdi + 56], rax
    mov rax, cr2
    mov [rdi + 144], rax
    mov rcx, [rsp]            ; exit information
    mov r8, [rcx + 24]        ; XSAVE mask
    test r8, r8
    jz .legacy_save
    mov rax, [rcx + 40]       ; back to the host's XCR0 first: it covers SSE even when the guest's XCR0 does not
    cmp rax, [rcx + 32]
    je .host_xcr0
    mov rdx, rax
    shr rdx, 32
    xor ecx, ecx
    xsetbv
.host_xcr0:
    mov rax, r8
    mov rdx, r8
    shr rdx, 32
    mov rsi, [rsp + 8]
    xsave [rsi]
    jmp .saved
.legacy_save:
    mov rax, [rsp + 8]
    fxsave [rax]
.saved:
    mov rax, 0x681C           ; GUEST_RSP
    vmread [rdi + 32], rax
    mov rax, 0x681E           ; GUEST_RIP
    vmread [rdi + 128], rax
    mov rax, 0x6820           ; GUEST_RFLAGS
    vmread [rdi + 136], rax
    mov rdi, [rsp]
    mov rax, 0x6400           ; EXIT_QUALIFICATION
    vmread [rdi], rax
    mov rax, 0x440C           ; VM_EXIT_INSTRUCTION_LEN
    vmread [rdi + 8], rax
    mov rax, 0x4824           ; GUEST_INTERRUPTIBILITY_INFO
    vmread [rdi + 16], rax
    mov rax, 0x4402           ; EXIT_REASON
    vmread rax, rax
    jmp hv_vmx_run.unwind
