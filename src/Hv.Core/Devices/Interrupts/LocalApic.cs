using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The vCPU's local APIC (Intel SDM Vol. 3A ch. 11): the xAPIC register page (MMIO at <see cref="MmioBase"/>,
    /// through <see cref="ReadRegister"/>/<see cref="WriteRegister"/>), the same registers as x2APIC MSRs
    /// 0x800-0x8FF (<see cref="LocalApicMsrs"/>), IA32_APIC_BASE with its mode transitions, the timer, and the
    /// acceptance path the VM's injection uses: <see cref="PendingVector"/> (the highest IRR vector whose priority
    /// class beats PPR), <see cref="Acknowledge"/> (IRR→ISR, what the CPU's interrupt acknowledge does) and EOI.
    /// Each vCPU has one; IPIs go through the VM's <see cref="ApicCluster"/> (LocalApic.Startup.cs: INIT and STARTUP).
    /// </summary>
    public sealed partial class LocalApic
    {
        public const ulong DefaultBase = 0xFEE00000;
        public const uint Version = 0x00050014; // version 0x14 (integrated), max LVT entry 5 (timer..error)

        // IA32_APIC_BASE bits.
        public const ulong BaseBsp = 1UL << 8;
        public const ulong BaseExtd = 1UL << 10;
        public const ulong BaseEnable = 1UL << 11;
        private const ulong BaseAddressMask = 0x0000000FFFFFF000UL; // 36-bit physical addresses

        // Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16).
        public const int RegId = 0x20, RegVersion = 0x30, RegTpr = 0x80, RegApr = 0x90, RegPpr = 0xA0, RegEoi = 0xB0;
        public const int RegRrd = 0xC0, RegLdr = 0xD0, RegDfr = 0xE0, RegSvr = 0xF0;
        public const int RegIsr = 0x100, RegTmr = 0x180, RegIrr = 0x200, RegEsr = 0x280;
        public const int RegIcrLow = 0x300, RegIcrHigh = 0x310;
        public const int RegLvtTimer = 0x320, RegLvtThermal = 0x330, RegLvtPerf = 0x340, RegLvtLint0 = 0x350;
        public const int RegLvtLint1 = 0x360, RegLvtError = 0x370, RegTimerInitial = 0x380, RegTimerCurrent = 0x390;
        public const int RegTimerDivide = 0x3E0, RegSelfIpi = 0x3F0;

        public const uint SvrEnable = 1u << 8;
        public const uint LvtMasked = 1u << 16;
        public const int LvtCount = 6;
        public const uint DeliveryFixed = 0, DeliveryNmi = 4, DeliveryExtInt = 7;

        // ESR bits (SDM 11.5.3).
        public const uint EsrSendIllegalVector = 1u << 5;
        public const uint EsrReceiveIllegalVector = 1u << 6;
        public const uint EsrIllegalRegister = 1u << 7;

        // Writable bits per LVT entry: timer, thermal, perf, LINT0, LINT1, error.
        private static readonly uint[] LvtWritable = { 0x700FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF };

        private readonly DeviceClock _clock;
        private readonly ApicTimer _timer;
        private readonly ApicVectorSet _irr = new ApicVectorSet();
        private readonly ApicVectorSet _isr = new ApicVectorSet();
        private readonly ApicVectorSet _tmr = new ApicVectorSet();
        private readonly uint[] _lvt = new uint[LvtCount];
        private readonly uint _initialId;
        private IoApic _eoiListener;
        private ulong _base;
        private uint _id, _tpr, _ldr, _dfr, _svr, _esr, _esrPending, _icrLow, _icrHigh;
        private bool _nmiPending;

        /// <summary>An APIC whose timer counts at <paramref name="timerHz"/> (the "bus clock" before the divider).</summary>
        public LocalApic(DeviceClock clock, ulong timerHz, uint apicId)
        {
            _clock = clock;
            _timer = new ApicTimer(clock, timerHz);
            _initialId = apicId;
            PowerOn();
        }

        /// <summary>Gives the APIC back with its registers and timer (its platform is being freed).</summary>
        public void Free()
        {
            _irr.Free();
            _isr.Free();
            _tmr.Free();
            Owned.Free(_lvt);
            Owned.Free(_timer);
            Owned.Free(this);
        }

        /// <summary>
        /// The power-on state: enabled in xAPIC mode at 0xFEE00000, software-disabled; APIC 0 is the bootstrap processor's,
        /// the others' processors wait for a STARTUP IPI.
        /// </summary>
        public void PowerOn()
        {
            _base = DefaultBase | BaseEnable | (_initialId == 0 ? BaseBsp : 0);
            ResetRegisters();
            _waitingForStartup = _initialId != 0;
            _initReceived = false;
            _startupVector = -1;
        }

        /// <summary>Level-triggered EOIs are broadcast to this IOAPIC (SDM 11.8.5).</summary>
        public void ConnectIoApic(IoApic ioApic)
        {
            _eoiListener = ioApic;
        }

        // SDM 11.4.7.1: reset and hardware re-enable leave every register at its power-up value.
        private void ResetRegisters()
        {
            _irr.Clear();
            _isr.Clear();
            _tmr.Clear();
            for (int i = 0; i < LvtCount; i++)
            {
                _lvt[i] = LvtMasked;
            }
            _timer.Reset();
            _id = _initialId & 0xFF;
            _tpr = _ldr = _esr = _esrPending = _icrLow = _icrHigh = 0;
            _dfr = 0xFFFFFFFF;
            _svr = 0xFF;
            _nmiPending = false;
        }

        public ulong BaseMsr { get { return _base; } }
        public ulong MmioBase { get { return _base & BaseAddressMask; } }
        public bool HardwareEnabled { get { return (_base & BaseEnable) != 0; } }
        public bool X2ApicMode { get { return (_base & (BaseEnable | BaseExtd)) == (BaseEnable | BaseExtd); } }
        /// <summary>Enabled in xAPIC mode: the MMIO page is live.</summary>
        public bool XApicMode { get { return (_base & (BaseEnable | BaseExtd)) == BaseEnable; } }
        public bool SoftwareEnabled { get { return HardwareEnabled && (_svr & SvrEnable) != 0; } }
        /// <summary>The APIC ID: 8 bits in xAPIC mode (register bits 31:24), 32 in x2APIC mode.</summary>
        public uint Id { get { return _id; } }
        public uint Tpr { get { return _tpr; } }
        public ApicTimer Timer { get { return _timer; } }
        public bool NmiPending { get { return _nmiPending; } }

        /// <summary>
        /// A WRMSR to IA32_APIC_BASE; false means #GP (reserved bits, or a transition the SDM's figure 11-27 calls
        /// invalid: x2APIC→xAPIC, disabled→x2APIC, EXTD without EN). Disabling resets every register, as hardware does.
        /// </summary>
        public bool WriteBaseMsr(ulong value)
        {
            if ((value & ~(BaseAddressMask | BaseBsp | BaseExtd | BaseEnable)) != 0)
            {
                return false;
            }
            bool enable = (value & BaseEnable) != 0, extd = (value & BaseExtd) != 0;
            if (extd && !enable)
            {
                return false;
            }
            if (X2ApicMode && enable && !extd)
            {
                return false;
            }
            if (!HardwareEnabled && extd)
            {
                return false;
            }
            bool wasEnabled = HardwareEnabled;
            bool toX2Apic = extd && !X2ApicMode;
            _base = (value & ~BaseBsp) | (_base & BaseBsp);
            if (wasEnabled && !enable)
            {
                ResetRegisters();
            }
            if (toX2Apic)
            {
                _id = _initialId; // the x2APIC ID is the initial APIC ID (SDM 11.12.5.1)
            }
            return true;
        }

        /// <summary>The processor priority (SDM 11.8.3.1): TPR, unless the in-service class is higher.</summary>
        public uint Ppr
        {
            get
            {
                int isrv = _isr.Highest();
                uint isrClass = isrv < 0 ? 0 : (uint)isrv & 0xF0;
                return (_tpr & 0xF0) >= isrClass ? _tpr & 0xFF : isrClass;
            }
        }

        /// <summary>The vector the CPU would take now (interrupts permitting), or -1.</summary>
        public int PendingVector()
        {
            if (!HardwareEnabled)
            {
                return -1;
            }
            int vector = _irr.Highest();
            if (vector < 0 || ((uint)vector & 0xF0) <= (Ppr & 0xF0))
            {
                return -1;
            }
            return vector;
        }

        /// <summary>The CPU takes the pending interrupt: its IRR bit moves to ISR. Returns the vector, or -1 when none is deliverable.</summary>
        public int Acknowledge()
        {
            int vector = PendingVector();
            if (vector >= 0)
            {
                _irr.Remove(vector);
                _isr.Add(vector);
            }
            return vector;
        }

        /// <summary>Takes a pending NMI (delivered through LINT1, an NMI IPI or an IOAPIC entry); true when there was one.</summary>
        public bool TakeNmi()
        {
            bool pending = _nmiPending;
            _nmiPending = false;
            return pending;
        }

        /// <summary>
        /// A fixed interrupt arrives from the IOAPIC, an MSI or an IPI. Vectors 0-15 are illegal (ESR bit 6); a
        /// software-disabled APIC drops fixed interrupts. Level-triggered ones are marked in TMR so their EOI is
        /// broadcast. Returns whether the interrupt was accepted into IRR.
        /// </summary>
        public bool Accept(int vector, bool levelTriggered)
        {
            if (!HardwareEnabled)
            {
                return false;
            }
            if (vector < 16 || vector > 255)
            {
                RaiseError(EsrReceiveIllegalVector);
                return false;
            }
            if ((_svr & SvrEnable) == 0)
            {
                return false;
            }
            _irr.Add(vector);
            if (levelTriggered)
            {
                _tmr.Add(vector);
            }
            else
            {
                _tmr.Remove(vector);
            }
            return true;
        }

        /// <summary>An NMI arrives (IOAPIC NMI entry, NMI IPI).</summary>
        public void AcceptNmi()
        {
            if (HardwareEnabled)
            {
                _nmiPending = true;
            }
        }

        /// <summary>
        /// Whether the 8259's INTR reaches the CPU: through LINT0 programmed as ExtINT and unmasked, or directly when
        /// the APIC is hardware-disabled (the pin then acts as the plain INTR input).
        /// </summary>
        public bool AcceptsExtInt
        {
            get
            {
                if (!HardwareEnabled)
                {
                    return true;
                }
                uint lint0 = _lvt[LvtIndex(RegLvtLint0)];
                return (lint0 & LvtMasked) == 0 && ((lint0 >> 8) & 7) == DeliveryExtInt;
            }
        }

        /// <summary>The LINT1 input was asserted (NMI button, the board's NMI source): delivered per its LVT entry.</summary>
        public void RaiseLint1()
        {
            DeliverLvt(LvtIndex(RegLvtLint1));
        }

        /// <summary>Fires the timer if it has expired by the clock's present time.</summary>
        public void Update()
        {
            if (_timer.Expire())
            {
                DeliverLvt(LvtIndex(RegLvtTimer));
            }
        }

        /// <summary>The guest TSC at which <see cref="Update"/> has work next, or ulong.MaxValue.</summary>
        public ulong NextDeadline()
        {
            return HardwareEnabled ? _timer.NextDeadline() : ulong.MaxValue;
        }

        /// <summary>The programmed LVT virtual-wire setup a PC firmware leaves: LINT0 ExtINT, LINT1 NMI, APIC software-enabled.</summary>
        public void SetVirtualWire()
        {
            _svr = SvrEnable | 0xFF;
            _lvt[LvtIndex(RegLvtLint0)] = DeliveryExtInt << 8;
            _lvt[LvtIndex(RegLvtLint1)] = DeliveryNmi << 8;
        }

        private static int LvtIndex(int register)
        {
            return (register - RegLvtTimer) >> 4;
        }

        private void DeliverLvt(int index)
        {
            uint entry = _lvt[index];
            if ((entry & LvtMasked) != 0)
            {
                return;
            }
            uint mode = index == 0 ? DeliveryFixed : (entry >> 8) & 7;
            if (mode == DeliveryNmi)
            {
                AcceptNmi();
            }
            else if (mode == DeliveryFixed)
            {
                bool level = index == LvtIndex(RegLvtLint0) || index == LvtIndex(RegLvtLint1) ? (entry & (1u << 15)) != 0 : false;
                Accept((int)(entry & 0xFF), level);
            }
        }

        private void RaiseError(uint bits)
        {
            uint before = _esrPending;
            _esrPending |= bits;
            if (before != _esrPending)
            {
                DeliverLvt(LvtIndex(RegLvtError));
            }
        }

        /// <summary>EOI: the highest in-service vector completes; a level-triggered one is broadcast to the IOAPIC.</summary>
        public void EndOfInterrupt()
        {
            int vector = _isr.Highest();
            if (vector < 0)
            {
                return;
            }
            _isr.Remove(vector);
            if (_tmr.Contains(vector))
            {
                _tmr.Remove(vector);
                if (_eoiListener != null)
                {
                    _eoiListener.EndOfInterrupt(vector);
                }
            }
        }

        /// <summary>Whether a message for <paramref name="destination"/> (physical ID, or a logical mask) reaches this APIC.</summary>
        public bool MatchesDestination(uint destination, bool logical)
        {
            if (X2ApicMode)
            {
                if (!logical)
                {
                    return destination == 0xFFFFFFFF || destination == _id;
                }
                uint ldr = X2ApicLdr;
                return (destination >> 16) == (ldr >> 16) && (destination & ldr & 0xFFFF) != 0;
            }
            destination &= 0xFF;
            if (!logical)
            {
                return destination == 0xFF || destination == (_id & 0xFF);
            }
            uint logicalId = _ldr >> 24;
            if ((_dfr >> 28) == 0xF)
            {
                return (destination & logicalId) != 0; // flat model
            }
            // cluster model: high nibble the cluster, low nibble a member mask
            return ((destination >> 4) == (logicalId >> 4) || (destination >> 4) == 0xF) && (destination & logicalId & 0xF) != 0;
        }

        private uint X2ApicLdr { get { return ((_id >> 4) << 16) | (1u << (int)(_id & 0xF)); } }

        /// <summary>The IA32_TSC_DEADLINE MSR (0x6E0).</summary>
        public ulong TscDeadline { get { return _timer.TscDeadline; } }

        public void WriteTscDeadline(ulong value)
        {
            _timer.WriteTscDeadline(value);
        }

        public const int StateSize = 8 + 4 * 10 + 4 * LvtCount + 1 + 3 * ApicVectorSet.Words * 4 + 1 + 4 + 4 + 8 + 1 + 8;

        public void Save(ref StateWriter writer)
        {
            writer.U64(_base);
            writer.U32(_id);
            writer.U32(_tpr);
            writer.U32(_ldr);
            writer.U32(_dfr);
            writer.U32(_svr);
            writer.U32(_esr);
            writer.U32(_esrPending);
            writer.U32(_icrLow);
            writer.U32(_icrHigh);
            writer.U32(0);
            for (int i = 0; i < LvtCount; i++)
            {
                writer.U32(_lvt[i]);
            }
            writer.Bool(_nmiPending);
            _irr.Save(ref writer);
            _isr.Save(ref writer);
            _tmr.Save(ref writer);
            _timer.Save(ref writer);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _base = reader.U64();
            _id = reader.U32();
            _tpr = reader.U32();
            _ldr = reader.U32();
            _dfr = reader.U32();
            _svr = reader.U32();
            _esr = reader.U32();
            _esrPending = reader.U32();
            _icrLow = reader.U32();
            _icrHigh = reader.U32();
            reader.U32();
            for (int i = 0; i < LvtCount; i++)
            {
                _lvt[i] = reader.U32();
                if ((_lvt[i] & ~(LvtWritable[i] | (1u << 12) | (1u << 14))) != 0) valid = false;
            }
            _nmiPending = reader.Bool(ref valid);
            _irr.Load(ref reader, ref valid);
            _isr.Load(ref reader, ref valid);
            _tmr.Load(ref reader, ref valid);
            _timer.Load(ref reader, ref valid);
            if ((_base & ~(BaseAddressMask | BaseBsp | BaseExtd | BaseEnable)) != 0 || (_base & (BaseEnable | BaseExtd)) == BaseExtd
                || _tpr > 0xFF || _svr > 0x3FF)
            {
                valid = false;
            }
        }
    }
}
