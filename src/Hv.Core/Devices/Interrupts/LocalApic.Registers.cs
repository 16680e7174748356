namespace Hv.Core.Devices.Interrupts
{
    /// <summary>The local APIC's register file: what a read or write of each xAPIC offset (or x2APIC MSR) does.</summary>
    public sealed partial class LocalApic
    {
        /// <summary>
        /// Reads the 32-bit register at <paramref name="offset"/> (16-byte aligned, below 0x400) as an xAPIC driver
        /// sees it; false for an offset that names no register (the ESR then records an illegal register access).
        /// </summary>
        public bool ReadRegister(int offset, out uint value)
        {
            value = 0;
            switch (offset)
            {
                case RegId: value = X2ApicMode ? _id : _id << 24; return true;
                case RegVersion: value = Version; return true;
                case RegTpr: value = _tpr; return true;
                case RegApr: return !X2ApicMode;
                case RegPpr: value = Ppr; return true;
                case RegEoi: return true;
                case RegRrd: return !X2ApicMode;
                case RegLdr: value = X2ApicMode ? X2ApicLdr : _ldr; return true;
                case RegDfr: value = _dfr; return !X2ApicMode;
                case RegSvr: value = _svr; return true;
                case RegEsr: value = _esr; return true;
                case RegIcrLow: value = _icrLow; return true;
                case RegIcrHigh: value = _icrHigh; return !X2ApicMode;
                case RegTimerInitial: value = _timer.InitialCount; return true;
                case RegTimerCurrent: value = _timer.CurrentCount(); return true;
                case RegTimerDivide: value = _timer.DivideConfig; return true;
            }
            if (offset >= RegLvtTimer && offset <= RegLvtError && (offset & 0xF) == 0)
            {
                value = _lvt[LvtIndex(offset)];
                return true;
            }
            if (offset >= RegIsr && offset < RegEsr && (offset & 0xF) == 0)
            {
                int index = (offset - RegIsr) >> 4;
                ApicVectorSet set = index < 8 ? _isr : index < 16 ? _tmr : _irr;
                value = set.Word(index & 7);
                return true;
            }
            return false;
        }

        /// <summary>Writes a 32-bit register; false for an offset that is not writable (read-only or no register).</summary>
        public bool WriteRegister(int offset, uint value)
        {
            switch (offset)
            {
                case RegId:
                    if (X2ApicMode) return false;
                    _id = value >> 24;
                    return true;
                case RegTpr: _tpr = value & 0xFF; return true;
                case RegEoi: EndOfInterrupt(); return true;
                case RegLdr:
                    if (X2ApicMode) return false;
                    _ldr = value & 0xFF000000u;
                    return true;
                case RegDfr:
                    if (X2ApicMode) return false;
                    _dfr = value | 0x0FFFFFFF;
                    return true;
                case RegSvr: WriteSvr(value); return true;
                case RegEsr:
                    // A write latches the errors seen since the last one and clears the accumulator (SDM 11.5.3).
                    _esr = _esrPending;
                    _esrPending = 0;
                    return true;
                case RegIcrLow:
                    _icrLow = value & 0x000CCFFFu; // delivery status (bit 12) always reads idle
                    SendIpi(_icrLow, X2ApicMode ? _icrHigh : _icrHigh >> 24);
                    return true;
                case RegIcrHigh:
                    if (X2ApicMode) return false;
                    _icrHigh = value & 0xFF000000u;
                    return true;
                case RegTimerInitial: _timer.WriteInitialCount(value); return true;
                case RegTimerDivide: _timer.WriteDivideConfig(value); return true;
                case RegSelfIpi:
                    if (!X2ApicMode) return false;
                    Accept((int)(value & 0xFF), false);
                    return true;
            }
            if (offset >= RegLvtTimer && offset <= RegLvtError && (offset & 0xF) == 0)
            {
                WriteLvt(LvtIndex(offset), value);
                return true;
            }
            return false;
        }

        /// <summary>The 64-bit x2APIC ICR write (MSR 0x830): destination in bits 63:32.</summary>
        internal void WriteX2ApicIcr(ulong value)
        {
            _icrHigh = (uint)(value >> 32);
            WriteRegister(RegIcrLow, (uint)value);
        }

        internal ulong X2ApicIcr { get { return ((ulong)_icrHigh << 32) | _icrLow; } }

        /// <summary>Records an illegal register access in the ESR (xAPIC MMIO; x2APIC raises #GP instead).</summary>
        internal void NoteIllegalRegister()
        {
            RaiseError(EsrIllegalRegister);
        }

        private void WriteSvr(uint value)
        {
            _svr = value & 0x3FF;
            if ((_svr & SvrEnable) == 0)
            {
                // Software disable masks every LVT entry (SDM 11.4.7.2); IRR and ISR keep their contents.
                for (int i = 0; i < LvtCount; i++)
                {
                    _lvt[i] |= LvtMasked;
                }
            }
        }

        private void WriteLvt(int index, uint value)
        {
            uint entry = value & LvtWritable[index];
            if ((_svr & SvrEnable) == 0)
            {
                entry |= LvtMasked; // cannot be unmasked while software-disabled
            }
            _lvt[index] = entry;
            if (index == 0)
            {
                _timer.SetMode((int)((entry >> 17) & 3) == 3 ? ApicTimer.ModeOneShot : (int)((entry >> 17) & 3));
            }
        }

        private void SendIpi(uint icr, uint destination)
        {
            _cluster.SendIpi(this, icr, destination);
        }

        /// <summary>This APIC tried to send a fixed IPI with a vector below 16 (ESR bit 5).</summary>
        internal void NoteSendIllegalVector()
        {
            RaiseError(EsrSendIllegalVector);
        }
    }
}
