using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The local APICs of one VM, one per vCPU (APIC ID = vCPU index, the BSP is 0), and the interrupt messages between
    /// them (SDM Vol. 3A 11.6): the IOAPIC's redirection entries, PCI MSIs and the APICs' own IPIs all come here and reach
    /// the APICs their destination names. Physical destinations name one APIC ID (0xFF: all); logical ones a flat or
    /// cluster mask (<see cref="LocalApic.MatchesDestination"/>). Lowest-priority delivery goes to one matching APIC, the
    /// one with the lowest processor priority (the first such), which is what "any of them" allows.
    /// </summary>
    public sealed class ApicCluster
    {
        /// <summary>ICR destination shorthands (bits 19:18).</summary>
        public const uint NoShorthand = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3;
        public const uint DeliveryLowestPriority = 1, DeliverySmi = 2, DeliveryInit = 5, DeliveryStartup = 6;

        private readonly DeviceClock _clock;
        private readonly ulong _timerHz;
        private LocalApic[] _apics;
        private IoApic _eoiListener;

        /// <summary><paramref name="count"/> APICs (IDs 0..count-1) whose timers count at <paramref name="timerHz"/>.</summary>
        public ApicCluster(DeviceClock clock, ulong timerHz, int count)
        {
            _clock = clock;
            _timerHz = timerHz;
            _apics = new LocalApic[0];
            Resize(count);
        }

        /// <summary>Gives back every APIC and the cluster (the platform is being freed).</summary>
        public void Free()
        {
            for (int i = 0; i < _apics.Length; i++) _apics[i].Free();
            Owned.Free(_apics);
            Owned.Free(this);
        }

        public int Count { get { return _apics.Length; } }

        /// <summary>The APIC of vCPU <paramref name="index"/>.</summary>
        public LocalApic At(int index)
        {
            return _apics[index];
        }

        /// <summary>
        /// Makes it <paramref name="count"/> APICs (the VM is off: Set-HvVm -ProcessorCount): the first ones stay, new ones
        /// start at power-on, extra ones are freed.
        /// </summary>
        public void Resize(int count)
        {
            if (count == _apics.Length) return;
            var apics = new LocalApic[count];
            for (int i = 0; i < count; i++)
            {
                apics[i] = i < _apics.Length ? _apics[i] : new LocalApic(_clock, _timerHz, (uint)i);
                apics[i].ConnectCluster(this);
                apics[i].ConnectIoApic(_eoiListener);
            }
            for (int i = count; i < _apics.Length; i++) _apics[i].Free();
            Owned.Free(_apics);
            _apics = apics;
        }

        /// <summary>Level-triggered EOIs of every APIC are broadcast to this IOAPIC (SDM 11.8.5).</summary>
        public void ConnectIoApic(IoApic ioApic)
        {
            _eoiListener = ioApic;
            for (int i = 0; i < _apics.Length; i++) _apics[i].ConnectIoApic(ioApic);
        }

        /// <summary>
        /// A message from the IOAPIC or a PCI function (no shorthand, no source APIC). Returns whether some APIC took it
        /// (a level-triggered IOAPIC entry then waits for its EOI).
        /// </summary>
        public bool Message(uint destination, bool logical, uint mode, int vector, bool level)
        {
            return Deliver(null, NoShorthand, destination, logical, mode, vector, level, true);
        }

        /// <summary>
        /// <paramref name="source"/> wrote its ICR: <paramref name="icr"/> is the low word (vector, delivery mode, destination
        /// mode bit 11, level bit 14, trigger bit 15, shorthand bits 19:18), <paramref name="destination"/> the APIC ID or
        /// logical mask. A fixed or lowest-priority IPI with a vector below 16 is a send error of the source (ESR bit 5).
        /// </summary>
        public void SendIpi(LocalApic source, uint icr, uint destination)
        {
            uint mode = (icr >> 8) & 7;
            int vector = (int)(icr & 0xFF);
            if ((mode == LocalApic.DeliveryFixed || mode == DeliveryLowestPriority) && vector < 16)
            {
                source.NoteSendIllegalVector();
                return;
            }
            Deliver(source, (icr >> 18) & 3, destination, (icr & (1u << 11)) != 0, mode, vector, (icr & (1u << 15)) != 0, (icr & (1u << 14)) != 0);
        }

        private bool Deliver(LocalApic source, uint shorthand, uint destination, bool logical, uint mode, int vector, bool level, bool assert)
        {
            // An INIT level de-assert only resynchronises arbitration IDs (SDM 10.6.1): no processor is reset by it.
            if (mode == DeliveryInit && level && !assert) return false;
            if (mode == DeliveryLowestPriority)
            {
                LocalApic chosen = null;
                for (int i = 0; i < _apics.Length; i++)
                {
                    LocalApic apic = _apics[i];
                    if (Targets(apic, source, shorthand, destination, logical) && apic.HardwareEnabled && (chosen == null || apic.Ppr < chosen.Ppr)) chosen = apic;
                }
                return chosen != null && chosen.Accept(vector, level);
            }
            bool taken = false;
            for (int i = 0; i < _apics.Length; i++)
            {
                LocalApic apic = _apics[i];
                if (!Targets(apic, source, shorthand, destination, logical)) continue;
                switch (mode)
                {
                    case LocalApic.DeliveryFixed: taken |= apic.Accept(vector, level); break;
                    case LocalApic.DeliveryNmi: apic.AcceptNmi(); taken = true; break;
                    case DeliveryInit: apic.ReceiveInit(); taken = true; break;
                    case DeliveryStartup: apic.ReceiveStartup(vector); taken = true; break;
                    // SMI and ExtINT messages have no receiver on a Hv PC (no SMM; the 8259 reaches the BSP through LINT0).
                }
            }
            return taken;
        }

        private static bool Targets(LocalApic apic, LocalApic source, uint shorthand, uint destination, bool logical)
        {
            switch (shorthand)
            {
                case Self: return apic == source;
                case AllIncludingSelf: return true;
                case AllExcludingSelf: return apic != source;
            }
            return apic.MatchesDestination(destination, logical);
        }
    }
}
