using System;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pci;
using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// One VM's PC platform: the time seam, local APIC, IOAPIC, 8259 pair, 8254 PIT with port 0x61, CMOS RTC, 8042,
    /// ACPI PM block, PCI bus 0 (<see cref="PcPciHost"/>) and the COM1 UART's IRQ 4, wired as a PC board wires them (<see cref="IsaIrqLine"/>). The VM's
    /// run loop drives it through a small contract (devices/README.md): <see cref="Advance"/> with the guest TSC,
    /// <see cref="NextDeadline"/> for the scheduler, <see cref="PendingVector"/>/<see cref="Acknowledge"/>/
    /// <see cref="NmiPending"/> for event injection, <see cref="MmioRead"/>/<see cref="MmioWrite"/> and
    /// <see cref="ReadMsr"/>/<see cref="WriteMsr"/> for exits, and <see cref="SaveState"/>/<see cref="LoadState"/>.
    /// </summary>
    public sealed partial class PcPlatform
    {
        public const int ComIrq = 4, SciIrq = 9;
        public const uint Ia32ApicBase = 0x1B, Ia32TscDeadline = 0x6E0;

        private readonly DeviceClock _clock;
        private readonly ApicCluster _apics;
        private int _current;
        private readonly IoApic _ioApic;
        private readonly PicPair _pic = new PicPair();
        private readonly Pit8254 _pit;
        private readonly SystemControlPortB _portB;
        private readonly CmosRtc _rtc;
        private readonly I8042Controller _kbc;
        private readonly I8042Port _kbcData, _kbcCommand;
        private readonly AcpiPmBlock _pm;
        private readonly Uart16550 _uart;
        private readonly PcPciHost _pci;
        private readonly byte[] _backup = new byte[StateSize];
        // The ISA lines handed to devices, one per IRQ, kept so that the platform frees them.
        private readonly IrqLine[] _lines = new IrqLine[16];

        /// <summary>
        /// A platform whose devices read the guest TSC at <paramref name="tscHz"/>, whose APIC timer counts at
        /// <paramref name="apicTimerHz"/> and whose CMOS clock starts at <paramref name="unixSeconds"/>.
        /// <paramref name="uart"/> (the VM's COM1) gets IRQ 4.
        /// </summary>
        public PcPlatform(ulong tscHz, ulong apicTimerHz, ulong unixSeconds, Uart16550 uart)
        {
            _clock = new DeviceClock(tscHz);
            _apics = new ApicCluster(_clock, apicTimerHz, 1);
            _ioApic = new IoApic(_apics);
            _apics.ConnectIoApic(_ioApic);
            _pit = new Pit8254(_clock, Line(0));
            _portB = new SystemControlPortB(_clock, _pit);
            _kbc = new I8042Controller(Line(1), Line(12));
            _kbcData = new I8042Port(_kbc, false);
            _kbcCommand = new I8042Port(_kbc, true);
            _rtc = new CmosRtc(_clock, Line(8), unixSeconds);
            _pm = new AcpiPmBlock(_clock, Line(SciIrq));
            _uart = uart;
            if (_uart != null)
            {
                _uart.ConnectIrq(Line(ComIrq));
            }
            _pci = new PcPciHost(_apics);
            _pci.Reset();
            _apics.At(0).SetVirtualWire();
        }

        private IrqLine Line(int irq)
        {
            if (_lines[irq] == null) _lines[irq] = new IsaIrqLine(_pic, _ioApic, irq);
            return _lines[irq];
        }

        /// <summary>
        /// Gives back every device record of the platform, the PCI functions plugged into it included (its VM is being
        /// removed, or never got it). The UART and the buses it was mapped on are the VM's. Nothing may use it afterwards.
        /// </summary>
        public void Free()
        {
            _pci.Free();
            _apics.Free();
            _ioApic.Free();
            _pic.Free();
            _pit.Free();
            Owned.Free(_portB);
            _rtc.Free();
            _kbc.Free();
            Owned.Free(_kbcData);
            Owned.Free(_kbcCommand);
            Owned.Free(_pm);
            Owned.Free(_clock);
            for (int i = 0; i < _lines.Length; i++) Owned.Free(_lines[i]);
            Owned.Free(_lines);
            Owned.Free(_backup);
            Owned.Free(this);
        }

        public DeviceClock Clock { get { return _clock; } }
        /// <summary>The local APIC of the selected vCPU (<see cref="SelectProcessor"/>): the one its exits and interrupts concern.</summary>
        public LocalApic LocalApic { get { return _apics.At(_current); } }
        public IoApic IoApic { get { return _ioApic; } }
        public PicPair Pic { get { return _pic; } }
        public Pit8254 Pit { get { return _pit; } }
        public CmosRtc Rtc { get { return _rtc; } }
        public I8042Controller Keyboard { get { return _kbc; } }
        public AcpiPmBlock PowerManagement { get { return _pm; } }
        public PcPciHost Pci { get { return _pci; } }

        /// <summary>
        /// Plugs the VM's disk in at <see cref="PcPciHost.DiskDevice"/> and gives it its BARs; once, before the VM
        /// first runs (the saved state then has its slot, so clones and snapshots of this VM carry it).
        /// </summary>
        public PciStatus AttachDisk(PciFunction disk)
        {
            PciStatus status = _pci.Attach(PcPciHost.DiskDevice, disk);
            if (status == PciStatus.Ok) _pci.Reset();
            return status;
        }

        /// <summary>The guest asked to be switched off (ACPI S5).</summary>
        public bool PowerOffRequested { get { return _pm.PowerOffRequested; } }
        /// <summary>The guest pulsed the reset line (8042 command 0xFE or output port bit 0).</summary>
        public bool ResetRequested { get { return _kbc.ResetRequested; } }

        /// <summary>Maps every port device on <paramref name="bus"/> (COM1 is the VM's own mapping).</summary>
        public PortMapStatus MapPorts(PortBus bus)
        {
            PortMapStatus status = bus.Map(PicPair.MasterPort, Pic8259.PortCount, _pic.Master);
            if (status == PortMapStatus.Ok) status = bus.Map(PicPair.SlavePort, Pic8259.PortCount, _pic.Slave);
            if (status == PortMapStatus.Ok) status = bus.Map(PicPair.ElcrPort, Elcr.PortCount, _pic.Elcr);
            if (status == PortMapStatus.Ok) status = bus.Map(Pit8254.BasePort, Pit8254.PortCount, _pit);
            if (status == PortMapStatus.Ok) status = bus.Map(SystemControlPortB.Port, 1, _portB);
            if (status == PortMapStatus.Ok) status = bus.Map(I8042Controller.DataPort, 1, _kbcData);
            if (status == PortMapStatus.Ok) status = bus.Map(I8042Controller.CommandPort, 1, _kbcCommand);
            if (status == PortMapStatus.Ok) status = bus.Map(CmosRtc.BasePort, CmosRtc.PortCount, _rtc);
            if (status == PortMapStatus.Ok) status = bus.Map(AcpiPmBlock.BasePort, AcpiPmBlock.PortCount, _pm);
            if (status == PortMapStatus.Ok) status = _pci.MapPorts(bus);
            return status;
        }

        /// <summary>Power-on state for a fresh boot or a restart; the clock keeps running (the guest TSC does).</summary>
        public void Reset(ulong unixSeconds)
        {
            for (int i = 0; i < _apics.Count; i++) _apics.At(i).PowerOn();
            _apics.At(0).SetVirtualWire();
            _ioApic.Reset();
            _pic.Reset();
            _pit.Reset();
            _portB.Restore(0);
            _rtc.Reset(unixSeconds);
            _kbc.Reset();
            _pm.Reset();
            _pci.Reset();
        }

        /// <summary>
        /// Time moved to <paramref name="guestTsc"/>: expired timers raise their interrupts, level sources are
        /// re-sampled. Call before reading <see cref="PendingVector"/> and after each exit that touched a device.
        /// </summary>
        public void Advance(ulong guestTsc)
        {
            _clock.Advance(guestTsc);
            _pit.Update();
            _rtc.Update();
            _pm.Update();
            for (int i = 0; i < _apics.Count; i++) _apics.At(i).Update();
            if (_uart != null)
            {
                _uart.Poll();
            }
        }

        /// <summary>The earliest guest TSC at which a device has an interrupt to raise (ulong.MaxValue: none).</summary>
        public ulong NextDeadline()
        {
            ulong next = _apics.At(0).NextDeadline();
            for (int i = 1; i < _apics.Count; i++) next = Min(next, _apics.At(i).NextDeadline());
            next = Min(next, _pit.NextDeadline());
            next = Min(next, _rtc.NextDeadline());
            return Min(next, _pm.NextDeadline());
        }

        private static ulong Min(ulong a, ulong b)
        {
            return a < b ? a : b;
        }

        // The 8259 pair's INTR is wired to the BSP's LINT0 only (as on a PC board).
        private bool ExtIntPending { get { return _current == 0 && _pic.Output && _apics.At(0).AcceptsExtInt; } }

        /// <summary>The vector the vCPU would take now if its RFLAGS.IF and interruptibility allow, or -1.</summary>
        public int PendingVector()
        {
            if (ExtIntPending)
            {
                return _pic.PendingVector();
            }
            return LocalApic.PendingVector();
        }

        /// <summary>The vCPU takes the pending interrupt (the injection is committed): returns its vector, or -1.</summary>
        public int Acknowledge()
        {
            if (ExtIntPending)
            {
                return _pic.Acknowledge();
            }
            return LocalApic.Acknowledge();
        }

        /// <summary>An NMI waits to be injected (LINT1, an NMI IPI or an IOAPIC NMI entry).</summary>
        public bool NmiPending { get { return LocalApic.NmiPending; } }

        /// <summary>The NMI was injected: it is no longer pending.</summary>
        public void AcknowledgeNmi()
        {
            LocalApic.TakeNmi();
        }

        /// <summary>The host's graceful stop request: the ACPI power button.</summary>
        public void PressPowerButton()
        {
            _pm.PressPowerButton();
        }

        private bool InApicPage(ulong gpa)
        {
            return LocalApic.XApicMode && gpa >= LocalApic.MmioBase && gpa < LocalApic.MmioBase + 0x1000;
        }

        private static bool InIoApicPage(ulong gpa)
        {
            return gpa >= IoApic.DefaultBase && gpa < IoApic.DefaultBase + IoApic.PageSize;
        }

        /// <summary>Whether <paramref name="gpa"/> is a device page (the EPT must leave it unmapped so accesses exit).</summary>
        public bool IsMmio(ulong gpa)
        {
            return InApicPage(gpa) || InIoApicPage(gpa);
        }

        /// <summary>A decoded guest read of <paramref name="size"/> bytes; false when no device owns the address.</summary>
        public bool MmioRead(ulong gpa, int size, out uint value)
        {
            value = 0;
            if (InIoApicPage(gpa))
            {
                value = _ioApic.Read((int)(gpa - IoApic.DefaultBase), size);
                return true;
            }
            if (!InApicPage(gpa))
            {
                return false;
            }
            int offset = (int)(gpa - LocalApic.MmioBase);
            int within = offset & 0xF;
            if (within >= 4 || offset >= 0x400)
            {
                return true; // the upper 12 bytes of each register slot, and the page beyond the registers, read 0
            }
            if (!LocalApic.ReadRegister(offset & 0xFF0, out uint register))
            {
                LocalApic.NoteIllegalRegister();
                return true;
            }
            value = register >> (within * 8);
            if (size < 4)
            {
                value &= (1u << (size * 8)) - 1;
            }
            return true;
        }

        /// <summary>A decoded guest write; false when no device owns the address.</summary>
        public bool MmioWrite(ulong gpa, int size, uint value)
        {
            if (InIoApicPage(gpa))
            {
                _ioApic.Write((int)(gpa - IoApic.DefaultBase), size, value);
                return true;
            }
            if (!InApicPage(gpa))
            {
                return false;
            }
            int offset = (int)(gpa - LocalApic.MmioBase);
            if ((offset & 0xF) != 0 || offset >= 0x400)
            {
                return true; // the SDM requires aligned 32-bit accesses; others are dropped
            }
            if (!LocalApic.WriteRegister(offset, value) && !LocalApic.ReadRegister(offset, out _))
            {
                LocalApic.NoteIllegalRegister(); // no register there (writes to read-only ones are ignored)
            }
            return true;
        }

        /// <summary>RDMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC register.</summary>
        public PlatformMsrStatus ReadMsr(uint msr, out ulong value)
        {
            value = 0;
            if (msr == Ia32ApicBase)
            {
                value = LocalApic.BaseMsr;
                return PlatformMsrStatus.Done;
            }
            if (msr == Ia32TscDeadline)
            {
                value = LocalApic.TscDeadline;
                return PlatformMsrStatus.Done;
            }
            if (!LocalApicMsrs.Contains(msr))
            {
                return PlatformMsrStatus.NotPlatform;
            }
            return LocalApicMsrs.Read(LocalApic, msr, out value) ? PlatformMsrStatus.Done : PlatformMsrStatus.GeneralProtection;
        }

        /// <summary>WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC register.</summary>
        public PlatformMsrStatus WriteMsr(uint msr, ulong value)
        {
            bool ok;
            if (msr == Ia32ApicBase)
            {
                ok = LocalApic.WriteBaseMsr(value);
            }
            else if (msr == Ia32TscDeadline)
            {
                LocalApic.WriteTscDeadline(value);
                ok = true;
            }
            else if (LocalApicMsrs.Contains(msr))
            {
                ok = LocalApicMsrs.Write(LocalApic, msr, value);
            }
            else
            {
                return PlatformMsrStatus.NotPlatform;
            }
            return ok ? PlatformMsrStatus.Done : PlatformMsrStatus.GeneralProtection;
        }

        private const byte StateVersion = 2;
        /// <summary>The state before PCI (VM images of export versions 4 and 5): the same bytes without the PCI part.</summary>
        private const byte StateVersionBeforePci = 1;

        /// <summary>Bytes of a version-1 state (no PCI part): <see cref="LoadState"/> reads it zero-padded to <see cref="StateSize"/>.</summary>
        public const int StateSizeBeforePci = StateSize - PcPciHost.StateSize;

        /// <summary>Bytes <see cref="SaveState"/> writes.</summary>
        public const int StateSize = 1 + 8 + LocalApic.StateSize + IoApic.StateSize + PicPair.StateSize + Pit8254.StateSize + 1
            + CmosRtc.StateSize + I8042Controller.StateSize + AcpiPmBlock.StateSize + 1 + Uart16550.StateSize + PcPciHost.StateSize;

        /// <summary>Saves every device and the clock's present; returns the bytes written or -1 when the buffer is short.</summary>
        public int SaveState(Span<byte> destination)
        {
            StateWriter writer = new StateWriter(destination);
            writer.U8(StateVersion);
            writer.U64(_clock.Now);
            _apics.At(0).Save(ref writer); // captures are of one-vCPU VMs (Hypervisor refuses others)
            _ioApic.Save(ref writer);
            _pic.Save(ref writer);
            _pit.Save(ref writer);
            writer.U8(_portB.Control);
            _rtc.Save(ref writer);
            _kbc.Save(ref writer);
            _pm.Save(ref writer);
            writer.Bool(_uart != null);
            if (_uart != null)
            {
                _uart.Save(ref writer);
            }
            else
            {
                for (int i = 0; i < Uart16550.StateSize; i++) writer.U8(0);
            }
            if (writer.Overflowed || _pci.SaveState(destination.Slice(writer.Length)) < 0)
            {
                return -1;
            }
            return writer.Length + PcPciHost.StateSize;
        }

        /// <summary>Restores <see cref="SaveState"/>'s bytes, all or nothing: on failure every device keeps its state.</summary>
        public DeviceStateStatus LoadState(ReadOnlySpan<byte> source)
        {
            if (source.Length < StateSize)
            {
                return DeviceStateStatus.Truncated;
            }
            if (source.Length != StateSize || (source[0] != StateVersion && source[0] != StateVersionBeforePci))
            {
                return DeviceStateStatus.WrongVersion;
            }
            SaveState(_backup);
            DeviceStateStatus status = LoadBody(source);
            if (status != DeviceStateStatus.Ok)
            {
                LoadBody(_backup);
            }
            return status;
        }

        private DeviceStateStatus LoadBody(ReadOnlySpan<byte> source)
        {
            StateReader reader = new StateReader(source.Slice(1));
            bool valid = true;
            _clock.Restore(reader.U64());
            _apics.At(0).Load(ref reader, ref valid);
            _ioApic.Load(ref reader, ref valid);
            _pic.Load(ref reader, ref valid);
            _pit.Load(ref reader, ref valid);
            byte portB = reader.U8();
            _portB.Restore(portB);
            _rtc.Load(ref reader, ref valid);
            _kbc.Load(ref reader, ref valid);
            _pm.Load(ref reader, ref valid);
            bool hadUart = reader.Bool(ref valid);
            if (hadUart != (_uart != null))
            {
                valid = false;
            }
            if (_uart != null)
            {
                _uart.Load(ref reader, ref valid);
            }
            else
            {
                for (int i = 0; i < Uart16550.StateSize; i++) reader.U8(); // SaveState's zeros in its place
            }
            if (portB > 0x0F || ((portB & 1) != 0) != _pit.Channel(2).Gate)
            {
                valid = false;
            }
            if (!reader.Truncated && valid)
            {
                if (source[0] == StateVersionBeforePci)
                {
                    _pci.Reset(); // a VM saved before PCI existed never looked at it: it finds the bus as at power-on
                }
                else
                {
                    DeviceStateStatus pci = _pci.LoadState(source.Slice(1 + reader.Position));
                    if (pci != DeviceStateStatus.Ok) return pci;
                }
            }
            return reader.Truncated ? DeviceStateStatus.Truncated : valid ? DeviceStateStatus.Ok : DeviceStateStatus.Invalid;
        }
    }
}
