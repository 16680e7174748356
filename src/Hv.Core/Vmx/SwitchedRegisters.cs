namespace Hv.Core.Vmx
{
    /// <summary>
    /// A vCPU's registers that are neither in the VMCS nor MSRs (see <see cref="GuestStateInventory"/> for where every
    /// piece of guest state lives): DR0-DR3 and DR6, which a hardware vCPU loads into the processor only once the guest
    /// touched a debug register (MOV-DR exiting until then); CR8 (the task priority, emulated through CR8 exits since
    /// there is no TPR shadow); and XCR0 (set by the emulated XSETBV, loaded by the world switch).
    /// </summary>
    public sealed class SwitchedRegisters
    {
        /// <summary>How many there are; <see cref="Get"/> and <see cref="Set"/> number them DR0, DR1, DR2, DR3, DR6, CR8, XCR0.</summary>
        public const int Count = 7;

        /// <summary>DR6 after reset: reserved bits 4-11 and 16-31 read as 1 (SDM Vol. 3B 18.2.3).</summary>
        public const ulong Dr6Reset = 0xFFFF0FF0;
        /// <summary>XCR0 after reset: x87 only (SDM Vol. 1 13.3).</summary>
        public const ulong Xcr0Reset = 1;

        public ulong Dr0, Dr1, Dr2, Dr3;
        public ulong Dr6 = Dr6Reset;
        public ulong Cr8;
        public ulong Xcr0 = Xcr0Reset;

        public ulong Get(int i)
        {
            switch (i)
            {
                case 0: return Dr0; case 1: return Dr1; case 2: return Dr2; case 3: return Dr3;
                case 4: return Dr6; case 5: return Cr8; default: return Xcr0;
            }
        }

        public void Set(int i, ulong value)
        {
            switch (i)
            {
                case 0: Dr0 = value; break; case 1: Dr1 = value; break; case 2: Dr2 = value; break; case 3: Dr3 = value; break;
                case 4: Dr6 = value; break; case 5: Cr8 = value; break; default: Xcr0 = value; break;
            }
        }

        public void CopyFrom(SwitchedRegisters o)
        {
            Dr0 = o.Dr0; Dr1 = o.Dr1; Dr2 = o.Dr2; Dr3 = o.Dr3; Dr6 = o.Dr6; Cr8 = o.Cr8; Xcr0 = o.Xcr0;
        }

        /// <summary>True when the debug registers differ from their reset values (a resumed vCPU must load them).</summary>
        public bool DebugRegistersInUse => (Dr0 | Dr1 | Dr2 | Dr3) != 0 || Dr6 != Dr6Reset;

        /// <summary>Reset values: a recycled vCPU must not show a new guest anything of the previous one.</summary>
        public void Clear()
        {
            Dr0 = Dr1 = Dr2 = Dr3 = Cr8 = 0;
            Dr6 = Dr6Reset;
            Xcr0 = Xcr0Reset;
        }
    }
}
