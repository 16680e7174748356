using System;
using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Devices.Pc
{
    /// <summary>The platform's processors: a local APIC per vCPU, the one whose exits are handled selected.</summary>
    public sealed partial class PcPlatform
    {
        /// <summary>Every vCPU's local APIC (APIC ID = vCPU index).</summary>
        public ApicCluster Apics { get { return _apics; } }

        /// <summary>
        /// The VM's run loop is about to run vCPU <paramref name="index"/>: its exits and interrupts go to its APIC
        /// (<see cref="LocalApic"/>, <see cref="PendingVector"/>, MMIO and MSR accesses).
        /// </summary>
        public void SelectProcessor(int index)
        {
            _current = index;
        }

        /// <summary>Saves AP <paramref name="index"/>'s APIC and startup state into <see cref="LocalApic.ProcessorStateSize"/> bytes.</summary>
        public void SaveProcessor(int index, Span<byte> destination)
        {
            StateWriter writer = new StateWriter(destination);
            _apics.At(index).SaveProcessor(ref writer);
        }

        /// <summary>Loads what <see cref="SaveProcessor"/> saved; false (the APIC then powered on) when the bytes are not a valid state.</summary>
        public bool LoadProcessor(int index, ReadOnlySpan<byte> source)
        {
            StateReader reader = new StateReader(source);
            bool valid = true;
            _apics.At(index).LoadProcessor(ref reader, ref valid);
            if (valid && !reader.Truncated) return true;
            _apics.At(index).PowerOn();
            return false;
        }

        /// <summary>Gives the (off) VM <paramref name="count"/> processors, each with its APIC; a restart powers them on.</summary>
        public void SetProcessorCount(int count)
        {
            _current = 0;
            _apics.Resize(count);
        }
    }
}
