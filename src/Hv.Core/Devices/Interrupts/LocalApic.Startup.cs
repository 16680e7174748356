namespace Hv.Core.Devices.Interrupts
{
    /// <summary>The local APIC as the receiver of INIT and STARTUP IPIs, and the sender of IPIs to the other APICs of its VM.</summary>
    public sealed partial class LocalApic
    {
        private ApicCluster _cluster;
        // The processor behind an AP's APIC: INIT puts it into wait-for-SIPI (SDM Vol. 3A 9.4.4), a STARTUP then names
        // the page it starts at. The VM's runner acts on both (it starts, stops and skips the AP's vCPU).
        private bool _waitingForStartup, _initReceived;
        private int _startupVector;

        /// <summary>IPIs this APIC sends go through <paramref name="cluster"/>, which holds every APIC of the VM.</summary>
        internal void ConnectCluster(ApicCluster cluster)
        {
            _cluster = cluster;
        }

        /// <summary>Its processor waits for a STARTUP IPI (an AP after power-on or INIT): it does not run.</summary>
        public bool WaitingForStartup { get { return _waitingForStartup; } }

        /// <summary>
        /// An INIT IPI: the APIC resets (its ID stays) and an AP's processor waits for a STARTUP. The bootstrap
        /// processor ignores it: Hv does not reset a running VM's BSP behind the guest's back (a guest resets through
        /// the 8042 or ACPI instead).
        /// </summary>
        public void ReceiveInit()
        {
            if (_initialId == 0) return;
            uint id = _id;
            ResetRegisters();
            _id = id;
            _waitingForStartup = true;
            _initReceived = true;
            _startupVector = -1;
        }

        /// <summary>A STARTUP IPI: a processor waiting for one starts at page <paramref name="vector"/>; others ignore it (SDM 9.4.4.1).</summary>
        public void ReceiveStartup(int vector)
        {
            if (!_waitingForStartup) return;
            _waitingForStartup = false;
            _startupVector = vector;
        }

        /// <summary>Bytes of <see cref="SaveProcessor"/>: the APIC and where its processor is in the INIT/STARTUP sequence.</summary>
        public const int ProcessorStateSize = StateSize + 1 + 1 + 4;

        /// <summary>Saves an AP's APIC with its startup state (a snapshot or copy of a VM with several vCPUs).</summary>
        public void SaveProcessor(ref StateWriter writer)
        {
            Save(ref writer);
            writer.Bool(_waitingForStartup);
            writer.Bool(_initReceived);
            writer.U32((uint)_startupVector);
        }

        /// <summary>Loads what <see cref="SaveProcessor"/> saved; <paramref name="valid"/> turns false on a value no APIC can hold.</summary>
        public void LoadProcessor(ref StateReader reader, ref bool valid)
        {
            Load(ref reader, ref valid);
            _waitingForStartup = reader.Bool(ref valid);
            _initReceived = reader.Bool(ref valid);
            int vector = (int)reader.U32();
            if (vector < -1 || vector > 0xFF) valid = false;
            _startupVector = vector;
        }

        /// <summary>Whether an INIT arrived since the last call (the runner then drops the AP's running vCPU).</summary>
        public bool TakeInit()
        {
            bool received = _initReceived;
            _initReceived = false;
            return received;
        }

        /// <summary>The page a STARTUP named since the last call (the runner starts the AP's vCPU there), or -1.</summary>
        public int TakeStartup()
        {
            int vector = _startupVector;
            _startupVector = -1;
            return vector;
        }
    }
}
