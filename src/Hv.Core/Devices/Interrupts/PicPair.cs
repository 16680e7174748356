namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The PC's cascaded 8259A pair: master at ports 0x20-0x21 (IRQ 0-7), slave at 0xA0-0xA1 (IRQ 8-15) on the
    /// master's IR2, and the edge/level control registers at 0x4D0-0x4D1 (<see cref="Elcr"/>). The master's INT
    /// output is <see cref="Output"/>; <see cref="Acknowledge"/> is the CPU's INTA cycle and yields the vector.
    /// </summary>
    public sealed class PicPair
    {
        public const ushort MasterPort = 0x20, SlavePort = 0xA0, ElcrPort = 0x4D0;
        private const int CascadeIrq = 2;

        private readonly Pic8259 _master;
        private readonly Pic8259 _slave;
        private readonly Elcr _elcr;

        public PicPair()
        {
            _master = new Pic8259(this, true);
            _slave = new Pic8259(this, false);
            _elcr = new Elcr(this);
        }

        /// <summary>Gives both controllers and the ELCR back (their platform is being freed).</summary>
        public void Free()
        {
            Owned.Free(_master);
            Owned.Free(_slave);
            Owned.Free(_elcr);
            Owned.Free(this);
        }

        public Pic8259 Master { get { return _master; } }
        public Pic8259 Slave { get { return _slave; } }
        public Elcr Elcr { get { return _elcr; } }

        public void Reset()
        {
            _master.Reset();
            _slave.Reset();
        }

        /// <summary>ISA IRQ <paramref name="irq"/> (0-15) is now at <paramref name="level"/>.</summary>
        public void SetIrq(int irq, bool level)
        {
            if (irq < 0 || irq > 15)
            {
                return;
            }
            if (irq < 8)
            {
                _master.SetInput(irq, level);
            }
            else
            {
                _slave.SetInput(irq - 8, level);
            }
            Update();
        }

        /// <summary>Propagates the slave's INT output to the master's IR2 (after any change to the slave).</summary>
        internal void Update()
        {
            _master.SetInput(CascadeIrq, _slave.Output);
        }

        /// <summary>The master's INT line to the CPU (or to the local APIC's LINT0).</summary>
        public bool Output { get { return _master.Output; } }

        /// <summary>The vector <see cref="Acknowledge"/> would return now, or -1 when the INT output is low.</summary>
        public int PendingVector()
        {
            int irq = _master.PendingIrq();
            if (irq < 0)
            {
                return -1;
            }
            if (irq != CascadeIrq)
            {
                return _master.VectorBase + irq;
            }
            int slaveIrq = _slave.PendingIrq();
            return _slave.VectorBase + (slaveIrq < 0 ? 7 : slaveIrq);
        }

        /// <summary>The INTA cycle: the vector of the highest-priority request (IRQ 7 or 15's for a spurious one).</summary>
        public int Acknowledge()
        {
            int irq = _master.Acknowledge();
            int vector;
            if (irq == CascadeIrq)
            {
                vector = _slave.VectorBase + _slave.Acknowledge();
                // The master's IR2 is edge-sensed: a request still pending at the slave must raise it afresh.
                _master.SetInput(CascadeIrq, false);
            }
            else
            {
                vector = _master.VectorBase + irq;
            }
            Update();
            return vector;
        }

        public const int StateSize = 2 * Pic8259.StateSize;

        public void Save(ref StateWriter writer)
        {
            _master.Save(ref writer);
            _slave.Save(ref writer);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _master.Load(ref reader, ref valid);
            _slave.Load(ref reader, ref valid);
            if ((_master.Elcr & ~Elcr.MasterMask) != 0 || (_slave.Elcr & ~Elcr.SlaveMask) != 0)
            {
                valid = false;
            }
        }
    }
}
