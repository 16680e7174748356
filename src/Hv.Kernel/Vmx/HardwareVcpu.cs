using System.Runtime.CompilerServices;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Kernel.Cpu;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // A vCPU backed by a real VMCS: VMREAD/VMWRITE for fields, hv_vmx_run (boot/vmx.asm) for entry and exit. The guest
    // state outside the VMCS is switched in HardwareVcpu.ProcessorState.cs.
    internal sealed unsafe partial class HardwareVcpu : Vcpu
    {
        private const ulong Cr0ProtectionAndPaging = ControlRegisterBits.Cr0ProtectionEnable | ControlRegisterBits.Cr0Paging;

        private const ulong SingleContextInvalidation = 1, GlobalInvalidation = 2;
        private static HardwareVcpu s_current;
        private const ulong DefaultPat = 0x0007040600070406UL; // the power-up value of IA32_PAT (SDM Vol. 3A 13.12.4)
        private static ulong s_ioBitmapA, s_ioBitmapB, s_msrBitmap;

        private readonly PageSource _pages;
        private readonly VmxRoot _root;
        private ulong _eptp;
        private ulong _vmcs;
        private ulong _xsave;
        private ushort _vpid;
        private bool _launched;
        private ulong _exitReason;
        // Filled by the exit stub: qualification, instruction length, interruptibility; read by it: the XSAVE mask, the
        // guest's and the host's XCR0 (see boot/vmx.asm).
        private readonly ulong* _exitInfo = (ulong*)Internal.Runtime.Heap.Allocate(6 * sizeof(ulong));
        // The image has no moving collector, so the registers object stays where it is: take its address once.
        private readonly ulong* _registers;

        // Released vCPU objects, reused by the next Allocate: the image's heap never frees.
        private static HardwareVcpu s_free;
        private HardwareVcpu _nextFree;

        private HardwareVcpu(VmxRoot root, PageSource pages, ulong vmcs, ulong xsave, ulong eptp, ushort vpid)
        {
            _root = root;
            _pages = pages;
            fixed (ulong* registers = &Registers.Rax) _registers = registers;
            Assign(vmcs, xsave, eptp, vpid);
        }

        private void Assign(ulong vmcs, ulong xsave, ulong eptp, ushort vpid)
        {
            _vmcs = vmcs;
            _xsave = xsave;
            _eptp = eptp;
            _vpid = vpid;
            _launched = false;
            ForgetProcessorState();
            _exitReason = 0;
            Registers.Clear();
            Switched.Clear();
            Mtrrs.Clear();
            _exitInfo[0] = _exitInfo[1] = _exitInfo[2] = 0;
            _exitInfo[3] = _root.HostXcr0 != 0 ? ControlRegisterBits.Xcr0X87 | ControlRegisterBits.Xcr0Sse : 0;
            _exitInfo[4] = _exitInfo[5] = _root.HostXcr0;
        }

        public ulong VmcsAddress => _vmcs;

        // Every port and every MSR exits (all bits set); the handlers decide per VM what is allowed.
        private static bool EnsureBitmaps(PageSource pages)
        {
            if (s_msrBitmap != 0) return true;
            s_ioBitmapA = pages.AllocatePage();
            s_ioBitmapB = pages.AllocatePage();
            s_msrBitmap = pages.AllocatePage();
            if (s_ioBitmapA == 0 || s_ioBitmapB == 0 || s_msrBitmap == 0) return false;
            pages.Page(s_ioBitmapA).Fill(0xFF);
            pages.Page(s_ioBitmapB).Fill(0xFF);
            pages.Page(s_msrBitmap).Fill(0xFF);
            return true;
        }

        // Returns null when memory runs out or the VMCS cannot be loaded.
        public static HardwareVcpu Create(VmxRoot root, PageSource pages, GuestEntryState entry, ulong eptp, ushort vpid)
        {
            HardwareVcpu cpu = Allocate(root, pages, eptp, entry.LongMode, vpid);
            if (cpu != null)
            {
                cpu.WriteGuestState(root, entry);
                cpu.ExtendedControlChanged();
            }
            return cpu;
        }

        // A vCPU that continues from a captured state (snapshot restore, primed template clone, fork, import).
        public static HardwareVcpu Resume(VmxRoot root, PageSource pages, VcpuState state, ulong eptp, ushort vpid)
        {
            bool longMode = (state.Get(VmcsField.GuestIa32Efer) & ControlRegisterBits.EferLongModeActive) != 0;
            HardwareVcpu cpu = Allocate(root, pages, eptp, longMode, vpid);
            if (cpu == null) return null;
            for (int i = 0; i < VcpuState.Fields.Length; i++) Native.hv_vmwrite(VcpuState.Fields[i], state.Values[i]);
            cpu.ContinueTscAt(state.Tsc);
            cpu.TscAdjust = state.TscAdjust;
            // The masks say which CR0/CR4 bits the host owns; the captured shadows keep what the guest believes.
            Native.hv_vmwrite(VmcsField.Cr0GuestHostMask, ControlRegisterPolicy.Cr0HostOwned(root.Cr0Fixed0 & ~Cr0ProtectionAndPaging));
            Native.hv_vmwrite(VmcsField.Cr4GuestHostMask, root.Cr4HostOwned);
            Native.hv_vmwrite(VmcsField.VmcsLinkPointer, ulong.MaxValue);
            cpu.Registers.CopyFrom(state.Registers);
            cpu.Msrs.CopyFrom(state.Msrs);
            cpu.Switched.CopyFrom(state.Switched);
            cpu.Mtrrs.CopyFrom(state.Mtrrs);
            byte* area = (byte*)cpu._xsave;
            for (int i = 0; i < VcpuState.FpuStateBytes; i++) area[i] = state.FpuState[i];
            // An image from a CPU with more XSAVE components than this one: XRSTOR/XSETBV would fault in the host.
            *(ulong*)(area + 512) &= root.HostXcr0 | ControlRegisterBits.Xcr0X87 | ControlRegisterBits.Xcr0Sse;
            if ((cpu.Switched.Xcr0 & ~root.HostXcr0) != 0) cpu.Switched.Xcr0 = SwitchedRegisters.Xcr0Reset;
            // Breakpoints set before the capture must fire after it: such a vCPU owns the debug registers at once.
            if (state.Switched.DebugRegistersInUse || (state.Get(VmcsField.GuestDr7) & 0xFF) != 0) cpu.ClaimDebugRegisters();
            cpu.ExtendedControlChanged();
            return cpu;
        }

        public override void Capture(VcpuState state)
        {
            if (!MakeCurrent()) return;
            PullProcessorState();
            for (int i = 0; i < VcpuState.Fields.Length; i++) state.Values[i] = ReadField(VcpuState.Fields[i]);
            state.Tsc = GuestTsc();
            state.TscAdjust = TscAdjust;
            state.Registers.CopyFrom(Registers);
            state.Msrs.CopyFrom(Msrs);
            state.Switched.CopyFrom(Switched);
            state.Mtrrs.CopyFrom(Mtrrs);
            byte* area = (byte*)_xsave;
            for (int i = 0; i < VcpuState.FpuStateBytes; i++) state.FpuState[i] = area[i];
        }

        private static HardwareVcpu Allocate(VmxRoot root, PageSource pages, ulong eptp, bool longMode, ushort vpid)
        {
            if (!EnsureBitmaps(pages)) return null;
            ulong vmcs = pages.AllocatePage();
            ulong xsave = pages.AllocatePage();
            if (vmcs == 0 || xsave == 0)
            {
                if (vmcs != 0) pages.FreePage(vmcs);
                if (xsave != 0) pages.FreePage(xsave);
                return null;
            }
            *(uint*)vmcs = root.Revision;
            // A clean extended state for the first entry: FCW 0x37F, MXCSR 0x1F80 (SDM Vol. 1 10.5.1), and an all-zero
            // XSAVE header (XRSTOR faults on a reserved header bit; XSTATE_BV = 0 means every component starts in its
            // initial configuration, SDM Vol. 1 13.8.1).
            pages.Page(xsave).Fill(0);
            *(ushort*)xsave = 0x37F;
            *(uint*)(xsave + 24) = 0x1F80;
            HardwareVcpu cpu = s_free;
            if (cpu != null)
            {
                s_free = cpu._nextFree;
                cpu._nextFree = null;
                cpu.Assign(vmcs, xsave, eptp, vpid);
            }
            else
            {
                cpu = new HardwareVcpu(root, pages, vmcs, xsave, eptp, vpid);
            }
            if (Native.hv_vmclear(&vmcs) != 0 || !cpu.MakeCurrent())
            {
                cpu.Release();
                return null;
            }
            cpu.WriteHostState();
            cpu.WriteControls(root, longMode, eptp, vpid);
            return cpu;
        }

        public override bool Activate() => MakeCurrent();

        // Read-modify-write: the interrupt-window and MOV-DR bits of the live controls belong to this vCPU's present.
        public override void YieldOnPause()
        {
            if (!_root.PauseExitingAllowed || !MakeCurrent()) return;
            Native.hv_vmwrite(VmcsField.ProcessorBasedControls, Native.hv_vmread(VmcsField.ProcessorBasedControls) | VmxControls.PauseExiting);
        }

        public bool MakeCurrent()
        {
            if (s_current == this) return true;
            ulong vmcs = _vmcs;
            if (Native.hv_vmptrld(&vmcs) != 0) return false;
            s_current = this;
            return true;
        }

        // The fields the exit stub already fetched come from memory; the rest are read from the VMCS. Inlined, so a
        // constant encoding folds to one load or one VMREAD call.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override ulong ReadField(uint encoding)
        {
            switch (encoding)
            {
                case VmcsField.ExitReason: return _exitReason;
                case VmcsField.ExitQualification: return _exitInfo[0];
                case VmcsField.ExitInstructionLength: return _exitInfo[1];
                case VmcsField.GuestInterruptibilityState: return _exitInfo[2];
                default: return Native.hv_vmread(encoding);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override void WriteField(uint encoding, ulong value)
        {
            if (encoding == VmcsField.GuestInterruptibilityState) _exitInfo[2] = value;
            Native.hv_vmwrite(encoding, value);
        }
        public override ulong ReadHostTsc() => Native.hv_rdtsc();

        // The guest's MSR exit runs between StartSlice and the next entry, so the processor holds this vCPU's MSRs.
        public override void GuestMsrWritten(uint msr, ulong value) => Native.hv_wrmsr(msr, value);


        // Runs the guest until the next exit: the hottest path of the hypervisor. Returns 0, or EntryFailed when
        // VMLAUNCH/VMRESUME itself failed (the VM-instruction error field says why). The exit reason is kept for the
        // dispatcher's first read.
        public override uint Run(ulong newSliceTicks)
        {
            if (newSliceTicks != 0 && !StartSlice(newSliceTicks)) return EntryFailed;
            long result = Native.hv_vmx_run(_registers, _launched ? 1 : 0, (void*)_xsave, _exitInfo);
            if (result < 0) return EntryFailed;
            _launched = true;
            _exitReason = (ulong)result;
            return 0;
        }

        // A new time slice: this VMCS on the processor, the preemption timer set, and the guest state the VMCS does not
        // switch loaded if the processor last ran another VM (SwitchProcessorState). The timer counts down at the TSC
        // rate divided by 2^shift (SDM 25.5.1); the VMCS saves what is left at every exit, so the slice spans all the
        // exits handled within it. False when the VMCS cannot be loaded (the entry fails).
        private bool StartSlice(ulong ticks)
        {
            if (!MakeCurrent()) return false;
            ulong timer = ticks >> _root.PreemptionTimerShift;
            Native.hv_vmwrite(VmcsField.VmxPreemptionTimerValue, timer == 0 ? 1 : timer > uint.MaxValue ? uint.MaxValue : timer);
            SwitchProcessorState();
            return true;
        }

        public static void FlushTranslations(ulong eptp)
        {
            ulong* descriptor = stackalloc ulong[2];
            descriptor[0] = eptp;
            descriptor[1] = 0;
            if (Native.hv_invept(SingleContextInvalidation, descriptor) != 0) Native.hv_invept(GlobalInvalidation, descriptor);
        }

        public override void Release()
        {
            if (_vmcs == 0) return;
            ulong vmcs = _vmcs;
            Native.hv_vmclear(&vmcs);
            if (s_current == this) s_current = null;
            ForgetProcessorState();
            // The EPT's pages go back to the allocator: drop every translation cached for it (SDM 28.4.3.1), so a
            // later VM that gets these pages can never reach this VM's memory through a stale entry.
            FlushTranslations(_eptp);
            _pages.FreePage(_vmcs);
            _pages.FreePage(_xsave);
            _vmcs = 0;
            Msrs.Clear(); // the next guest on this object must not see this one's
            TscAdjust = 0;
            _nextFree = s_free;
            s_free = this;
        }

        // SDM 24.5: where the CPU returns on every exit. HOST_RSP is written by hv_vmx_run on each entry.
        private void WriteHostState()
        {
            Native.hv_vmwrite(VmcsField.HostCr0, Native.hv_read_cr0());
            Native.hv_vmwrite(VmcsField.HostCr3, Native.hv_read_cr3());
            Native.hv_vmwrite(VmcsField.HostCr4, Native.hv_read_cr4());
            Native.hv_vmwrite(VmcsField.HostCsSelector, 0x08);
            Native.hv_vmwrite(VmcsField.HostSsSelector, 0x10);
            Native.hv_vmwrite(VmcsField.HostDsSelector, 0x10);
            Native.hv_vmwrite(VmcsField.HostEsSelector, 0x10);
            Native.hv_vmwrite(VmcsField.HostFsSelector, 0);
            Native.hv_vmwrite(VmcsField.HostGsSelector, 0);
            Native.hv_vmwrite(VmcsField.HostTrSelector, 0x18);
            Native.hv_vmwrite(VmcsField.HostFsBase, 0);
            Native.hv_vmwrite(VmcsField.HostGsBase, 0);
            Native.hv_vmwrite(VmcsField.HostTrBase, Native.hv_tss_base());
            Native.hv_vmwrite(VmcsField.HostGdtrBase, Native.hv_gdt_base());
            Native.hv_vmwrite(VmcsField.HostIdtrBase, InterruptTable.Base);
            Native.hv_vmwrite(VmcsField.HostIa32SysenterCs, 0);
            Native.hv_vmwrite(VmcsField.HostIa32SysenterEsp, 0);
            Native.hv_vmwrite(VmcsField.HostIa32SysenterEip, 0);
            Native.hv_vmwrite(VmcsField.HostIa32Efer, Native.hv_rdmsr(Msr.Ia32Efer));
            Native.hv_vmwrite(VmcsField.HostIa32Pat, Native.hv_rdmsr(Msr.Ia32Pat));
            Native.hv_vmwrite(VmcsField.HostRip, Native.hv_vmx_exit_address());
        }

        private void WriteControls(VmxRoot root, bool longMode, ulong eptp, ushort vpid)
        {
            Native.hv_vmwrite(VmcsField.PinBasedControls, root.PinControls);
            Native.hv_vmwrite(VmcsField.ProcessorBasedControls, root.ProcessorControls);
            Native.hv_vmwrite(VmcsField.SecondaryProcessorBasedControls, root.SecondaryControls);
            Native.hv_vmwrite(VmcsField.ExitControls, root.ExitControls);
            uint entryControls = root.EntryControls;
            if (longMode) entryControls |= VmxControls.Ia32eModeGuest;
            Native.hv_vmwrite(VmcsField.EntryControls, entryControls);
            Native.hv_vmwrite(VmcsField.ExceptionBitmap, 0);
            Native.hv_vmwrite(VmcsField.TscOffset, 0);
            Native.hv_vmwrite(VmcsField.IoBitmapA, s_ioBitmapA);
            Native.hv_vmwrite(VmcsField.IoBitmapB, s_ioBitmapB);
            Native.hv_vmwrite(VmcsField.MsrBitmap, s_msrBitmap);
            Native.hv_vmwrite(VmcsField.EptPointer, eptp);
            Native.hv_vmwrite(VmcsField.Vpid, vpid);
            Native.hv_vmwrite(VmcsField.VmcsLinkPointer, ulong.MaxValue);
            Native.hv_vmwrite(VmcsField.Cr3TargetCount, 0);
            Native.hv_vmwrite(VmcsField.ExitMsrStoreCount, 0);
            Native.hv_vmwrite(VmcsField.ExitMsrLoadCount, 0);
            Native.hv_vmwrite(VmcsField.EntryMsrLoadCount, 0);
            Native.hv_vmwrite(VmcsField.EntryInterruptionInfo, 0);
        }

        // SDM 24.4 and 26.3.1: the loader's state, with the bits VMX forces on CR0 and CR4. The guest owns CR0.PE and
        // CR0.PG (unrestricted guest); the bits the CPU forces are host-owned and the guest reads its own values.
        private void WriteGuestState(VmxRoot root, GuestEntryState entry)
        {
            ulong cr0Forced = root.Cr0Fixed0 & ~Cr0ProtectionAndPaging;
            Native.hv_vmwrite(VmcsField.GuestCr0, VmxCapability.ApplyFixedBits(entry.Cr0 & ~ControlRegisterPolicy.Cr0GuestCacheBits, cr0Forced, root.Cr0Fixed1));
            Native.hv_vmwrite(VmcsField.Cr0GuestHostMask, ControlRegisterPolicy.Cr0HostOwned(cr0Forced));
            Native.hv_vmwrite(VmcsField.Cr0ReadShadow, entry.Cr0);
            Native.hv_vmwrite(VmcsField.GuestCr4, VmxCapability.ApplyFixedBits(entry.Cr4, root.Cr4Fixed0, root.Cr4Fixed1));
            Native.hv_vmwrite(VmcsField.Cr4GuestHostMask, root.Cr4HostOwned);
            Native.hv_vmwrite(VmcsField.Cr4ReadShadow, entry.Cr4);
            Native.hv_vmwrite(VmcsField.GuestCr3, entry.Cr3);
            Native.hv_vmwrite(VmcsField.GuestIa32Efer, entry.Efer);
            Native.hv_vmwrite(VmcsField.GuestDr7, 0x400);
            Native.hv_vmwrite(VmcsField.GuestIa32DebugCtl, 0);
            Native.hv_vmwrite(VmcsField.GuestIa32Pat, DefaultPat);

            Segment(VmcsField.GuestEsSelector, VmcsField.GuestEsBase, VmcsField.GuestEsLimit, VmcsField.GuestEsAccessRights, entry.Es);
            Segment(VmcsField.GuestCsSelector, VmcsField.GuestCsBase, VmcsField.GuestCsLimit, VmcsField.GuestCsAccessRights, entry.Cs);
            Segment(VmcsField.GuestSsSelector, VmcsField.GuestSsBase, VmcsField.GuestSsLimit, VmcsField.GuestSsAccessRights, entry.Ss);
            Segment(VmcsField.GuestDsSelector, VmcsField.GuestDsBase, VmcsField.GuestDsLimit, VmcsField.GuestDsAccessRights, entry.Ds);
            Segment(VmcsField.GuestFsSelector, VmcsField.GuestFsBase, VmcsField.GuestFsLimit, VmcsField.GuestFsAccessRights, entry.Fs);
            Segment(VmcsField.GuestGsSelector, VmcsField.GuestGsBase, VmcsField.GuestGsLimit, VmcsField.GuestGsAccessRights, entry.Gs);
            Segment(VmcsField.GuestLdtrSelector, VmcsField.GuestLdtrBase, VmcsField.GuestLdtrLimit, VmcsField.GuestLdtrAccessRights, entry.Ldtr);
            Segment(VmcsField.GuestTrSelector, VmcsField.GuestTrBase, VmcsField.GuestTrLimit, VmcsField.GuestTrAccessRights, entry.Tr);
            Native.hv_vmwrite(VmcsField.GuestGdtrBase, entry.GdtrBase);
            Native.hv_vmwrite(VmcsField.GuestGdtrLimit, entry.GdtrLimit);
            Native.hv_vmwrite(VmcsField.GuestIdtrBase, entry.IdtrBase);
            Native.hv_vmwrite(VmcsField.GuestIdtrLimit, entry.IdtrLimit);

            Native.hv_vmwrite(VmcsField.GuestIa32SysenterCs, 0);
            Native.hv_vmwrite(VmcsField.GuestIa32SysenterEsp, 0);
            Native.hv_vmwrite(VmcsField.GuestIa32SysenterEip, 0);
            Native.hv_vmwrite(VmcsField.GuestActivityState, 0);
            Native.hv_vmwrite(VmcsField.GuestInterruptibilityState, 0);
            Native.hv_vmwrite(VmcsField.GuestPendingDebugExceptions, 0);

            GuestRegisters r = Registers;
            r.Rip = entry.Rip;
            r.Rsp = entry.Rsp;
            r.Rflags = entry.Rflags | 2; // bit 1 is reserved as 1
            r.Rax = entry.Rax;
            r.Rbx = entry.Rbx;
            r.Rsi = entry.Rsi;
        }

        private static void Segment(uint selector, uint baseField, uint limit, uint access, GuestSegment s)
        {
            Native.hv_vmwrite(selector, s.Selector);
            Native.hv_vmwrite(baseField, s.Base);
            Native.hv_vmwrite(limit, s.Limit);
            Native.hv_vmwrite(access, s.AccessRights);
        }
    }
}
