using System;

namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// One PCI function with a type-0 configuration header (PCI Local Bus 3.0, 6.1-6.2): identity registers
    /// fixed at construction, the writable command, cache-line, interrupt-line and BAR registers
    /// (<see cref="PciBars"/>), a capability list (<see cref="PciConfigSpace"/>), and optionally MSI-X
    /// (<see cref="MsixTable"/>). Subclasses declare their BARs and capabilities in their constructor and implement
    /// the registers behind their BARs. The bus routes an MMIO or port access to
    /// <see cref="ReadBar"/>/<see cref="WriteBar"/> only while the command register enables that space.
    /// </summary>
    public abstract class PciFunction
    {
        public const int ConfigSpaceSize = PciConfigSpace.Size;
        public const int BarCount = PciBars.Count;

        public const int VendorIdRegister = 0x00;
        public const int DeviceIdRegister = 0x02;
        public const int CommandRegister = 0x04;
        public const int StatusRegister = 0x06;
        public const int RevisionRegister = 0x08;
        public const int ClassCodeRegister = 0x09;
        public const int CacheLineRegister = 0x0C;
        public const int HeaderTypeRegister = 0x0E;
        public const int SubsystemVendorRegister = 0x2C;
        public const int SubsystemIdRegister = 0x2E;
        public const int CapabilitiesRegister = 0x34;
        public const int InterruptLineRegister = 0x3C;
        public const int InterruptPinRegister = 0x3D;

        public const ushort CommandIo = 0x0001;
        public const ushort CommandMemory = 0x0002;
        public const ushort CommandBusMaster = 0x0004;
        public const ushort CommandInterruptDisable = 0x0400;
        // I/O, memory, bus master, parity error response (bit 6), SERR# (bit 8), interrupt disable (bit 10).
        private const ushort CommandWritable = 0x0547;

        public const ushort StatusInterrupt = 0x0008;
        public const ushort StatusCapabilities = 0x0010;

        public const byte MsixCapabilityId = 0x11;
        private const int MsixCapabilityLength = 12;
        private const ushort MsixEnable = 0x8000;
        private const ushort MsixFunctionMask = 0x4000;

        private const byte StateVersion = 1;
        private const int StateHeaderSize = 5;

        private readonly PciConfigSpace _config = new PciConfigSpace();
        private readonly PciBars _bars;
        private MsixTable _msix;
        private int _msixCapability;
        private bool _intxRequested;
        private bool _intxAsserted;
        private PciInterruptSink _sink;
        private byte[] _loadBackup;

        /// <summary>
        /// Gives the function back with everything it owns (its bus is being freed, or it was never attached); a device
        /// that owns more frees it in <see cref="FreeParts"/>. Nothing may use the function afterwards.
        /// </summary>
        public void Free()
        {
            FreeParts();
            _bars.Free();
            _config.Free();
            if (_msix != null) _msix.Free();
            Owned.Free(_loadBackup);
            Owned.Free(this);
        }

        /// <summary>The device's own buffers and records, given back before the function's.</summary>
        protected virtual void FreeParts()
        {
        }

        /// <param name="classCode">Base class, subclass and programming interface as one 24-bit value (0x020000 = Ethernet).</param>
        /// <param name="interruptPin">0 for none, 1-4 for INTA#-INTD#.</param>
        protected PciFunction(ushort vendorId, ushort deviceId, byte revision, uint classCode,
                              ushort subsystemVendorId, ushort subsystemId, byte interruptPin)
        {
            _bars = new PciBars(_config.Bytes);
            _config.Set16(VendorIdRegister, vendorId);
            _config.Set16(DeviceIdRegister, deviceId);
            _config.Set32(RevisionRegister, revision | (classCode << 8));
            _config.Set16(SubsystemVendorRegister, subsystemVendorId);
            _config.Set16(SubsystemIdRegister, subsystemId);
            _config.Set8(InterruptPinRegister, interruptPin);
            _config.SetWritable(CommandRegister, (byte)(CommandWritable & 0xFF));
            _config.SetWritable(CommandRegister + 1, (byte)(CommandWritable >> 8));
            _config.SetWritable(CacheLineRegister, 0xFF);
            _config.SetWritable(InterruptLineRegister, 0xFF);
        }

        public ushort VendorId { get { return _config.Read16(VendorIdRegister); } }
        public ushort DeviceId { get { return _config.Read16(DeviceIdRegister); } }
        public ushort Command { get { return _config.Read16(CommandRegister); } }
        public byte InterruptPin { get { return _config.Read8(InterruptPinRegister); } }

        /// <summary>The interrupt line register: firmware's note of the IRQ the pin is routed to (6.2.4); no effect on the device.</summary>
        public byte InterruptLine
        {
            get { return _config.Read8(InterruptLineRegister); }
            set { _config.Set8(InterruptLineRegister, value); }
        }

        public bool BusMasterEnabled { get { return (Command & CommandBusMaster) != 0; } }

        /// <summary>True while the function drives its INTx pin.</summary>
        public bool IntxAsserted { get { return _intxAsserted; } }

        public MsixTable Msix { get { return _msix; } }

        public bool MsixEnabled { get { return _msix != null && _msix.Enabled; } }

        public PciInterruptSink InterruptSink { get { return _sink; } }

        /// <summary>Wires the function's interrupts to the VM (null disconnects them).</summary>
        public void ConnectInterrupts(PciInterruptSink sink)
        {
            _sink = sink;
        }

        public PciBarKind BarKind(int bar)
        {
            return _bars.Kind(bar);
        }

        /// <summary>Bytes the BAR decodes (for a 64-bit BAR, on its lower index); 0 when not implemented.</summary>
        public ulong BarSize(int bar)
        {
            return _bars.Size(bar);
        }

        /// <summary>The base address the guest (or firmware) programmed into the BAR.</summary>
        public ulong BarAddress(int bar)
        {
            return _bars.Address(bar);
        }

        /// <summary>True when the BAR is implemented and its space (I/O or memory) is enabled in the command register.</summary>
        public bool BarDecodes(int bar)
        {
            PciBarKind kind = BarKind(bar);
            if (kind == PciBarKind.Io)
            {
                return (Command & CommandIo) != 0;
            }
            return (kind == PciBarKind.Memory32 || kind == PciBarKind.Memory64) && (Command & CommandMemory) != 0;
        }

        /// <summary>Sets a BAR's base address, as firmware does before the OS runs (the low bits the size forbids are dropped).</summary>
        public void SetBarAddress(int bar, ulong address)
        {
            _bars.Write(bar, (uint)address);
            if (BarKind(bar) == PciBarKind.Memory64)
            {
                _bars.Write(bar + 1, (uint)(address >> 32));
            }
        }

        /// <summary>Sets the command register (masked to its writable bits), as firmware does to enable decoding.</summary>
        public void SetCommand(ushort command)
        {
            WriteConfig(CommandRegister, 2, command);
        }

        /// <summary>
        /// A configuration read of <paramref name="size"/> (1, 2 or 4) bytes at <paramref name="offset"/>. An access
        /// that leaves the dword it starts in, or the 256 bytes, reads as all ones.
        /// </summary>
        public uint ReadConfig(int offset, int size)
        {
            if (!WithinDword(offset, size))
            {
                return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
            }
            BeforeConfigRead(offset & ~3);
            uint value = 0;
            for (int i = 0; i < size; i++)
            {
                value |= (uint)_config.Read8(offset + i) << (i * 8);
            }
            return value;
        }

        /// <summary>A configuration write; only writable bits change, and an access that leaves its dword is ignored.</summary>
        public void WriteConfig(int offset, int size, uint value)
        {
            if (!WithinDword(offset, size))
            {
                return;
            }
            int dword = offset & ~3;
            if (dword >= PciBars.FirstRegister && dword < PciBars.FirstRegister + BarCount * 4)
            {
                int bar = (dword - PciBars.FirstRegister) / 4;
                uint merged = _bars.Register(bar);
                for (int i = 0; i < size; i++)
                {
                    int shift = (offset - dword + i) * 8;
                    merged = (merged & ~(0xFFu << shift)) | (((value >> (i * 8)) & 0xFF) << shift);
                }
                _bars.Write(bar, merged);
                return;
            }
            for (int i = 0; i < size; i++)
            {
                _config.WriteMasked(offset + i, (byte)(value >> (i * 8)));
            }
            if (dword == CommandRegister)
            {
                UpdateIntx();
            }
            if (_msix != null && dword == _msixCapability)
            {
                ushort control = _config.Read16(_msixCapability + 2);
                _msix.SetControl((control & MsixEnable) != 0, (control & MsixFunctionMask) != 0, _sink);
                UpdateIntx();
            }
            AfterConfigWrite(dword);
        }

        /// <summary>A read of <paramref name="size"/> (1, 2, 4 or 8) bytes at <paramref name="offset"/> into the BAR.</summary>
        public ulong ReadBar(int bar, ulong offset, int size)
        {
            if (_msix != null && _msix.Claims(bar, offset))
            {
                return _msix.Read(offset, size);
            }
            return OnBarRead(bar, offset, size);
        }

        public void WriteBar(int bar, ulong offset, int size, ulong value)
        {
            if (_msix != null && _msix.Claims(bar, offset))
            {
                _msix.Write(offset, size, value, _sink);
                return;
            }
            OnBarWrite(bar, offset, size, value);
        }

        /// <summary>
        /// Power-on state: command, BARs, interrupt line and every writable capability bit back to 0, MSI-X off with
        /// all vectors masked, the INTx pin released. Subclasses reset their own registers and call this.
        /// </summary>
        public virtual void Reset()
        {
            _config.ClearWritable();
            _bars.Reset();
            if (_msix != null)
            {
                _msix.Reset();
            }
            _intxRequested = false;
            UpdateIntx();
        }

        /// <summary>Bytes <see cref="SaveState"/> needs.</summary>
        public int StateSize
        {
            get
            {
                int size = StateHeaderSize + _config.WritableStateSize + BarCount * 4 + 1 + FunctionStateSize;
                return _msix == null ? size : size + _msix.TableSize + _msix.PbaSize;
            }
        }

        /// <summary>
        /// Saves the guest-visible state (for snapshots, clones and export): a version and the function's IDs, the
        /// writable configuration bytes, the BARs, the INTx request, the MSI-X table, then the subclass's state.
        /// Returns the bytes written, or -1 when <paramref name="destination"/> is too short.
        /// </summary>
        public int SaveState(Span<byte> destination)
        {
            StateWriter writer = new StateWriter(destination);
            writer.U8(StateVersion);
            writer.U16(VendorId);
            writer.U16(DeviceId);
            _config.SaveWritable(ref writer);
            for (int bar = 0; bar < BarCount; bar++)
            {
                writer.U32(_bars.Register(bar));
            }
            writer.Bool(_intxRequested);
            if (_msix != null)
            {
                _msix.Save(ref writer);
            }
            SaveFunctionState(ref writer);
            return writer.Overflowed ? -1 : writer.Length;
        }

        /// <summary>
        /// Restores <see cref="SaveState"/>'s bytes. All or nothing: on any failure the function keeps its state.
        /// Every value is masked as a guest write would be; the sink is told the restored INTx level.
        /// </summary>
        public DeviceStateStatus LoadState(ReadOnlySpan<byte> source)
        {
            if (source.Length < StateHeaderSize)
            {
                return DeviceStateStatus.Truncated;
            }
            if (source[0] != StateVersion || (source[1] | (source[2] << 8)) != VendorId || (source[3] | (source[4] << 8)) != DeviceId)
            {
                return DeviceStateStatus.WrongVersion;
            }
            int size = StateSize;
            if (source.Length != size)
            {
                return source.Length < size ? DeviceStateStatus.Truncated : DeviceStateStatus.WrongVersion;
            }
            if (_loadBackup == null)
            {
                // Once per function, at its first restore, kept until the function is freed: restores allocate nothing.
                _loadBackup = new byte[size];
            }
            SaveState(_loadBackup);
            DeviceStateStatus status = LoadBody(source);
            if (status != DeviceStateStatus.Ok)
            {
                LoadBody(_loadBackup);
            }
            return status;
        }

        /// <summary>
        /// Requests a message on MSI-X <paramref name="vector"/>. Returns false when MSI-X is not enabled, so the
        /// caller falls back to its INTx path.
        /// </summary>
        protected bool SignalMsix(int vector)
        {
            if (!MsixEnabled)
            {
                return false;
            }
            _msix.Signal(vector, _sink);
            return true;
        }

        /// <summary>
        /// The function's interrupt condition for INTx (6.2.3): shown in the status register's Interrupt Status bit,
        /// and driven on the pin unless Interrupt Disable is set or MSI-X is enabled (6.8.2: a function using MSI-X
        /// must not use INTx).
        /// </summary>
        protected void SetIntxRequest(bool requested)
        {
            _intxRequested = requested;
            UpdateIntx();
        }

        /// <summary>Declares BAR <paramref name="bar"/> (a 64-bit memory BAR also takes <paramref name="bar"/> + 1).</summary>
        protected PciStatus DeclareBar(int bar, PciBarKind kind, ulong size, bool prefetchable)
        {
            return _bars.Declare(bar, kind, size, prefetchable);
        }

        /// <summary>
        /// Adds an MSI-X capability with <paramref name="vectors"/> vectors whose table and pending-bit array sit
        /// at the given offsets (qword aligned) of memory BAR <paramref name="bar"/> (6.8.2).
        /// </summary>
        protected PciStatus AddMsix(int vectors, int bar, uint tableOffset, uint pbaOffset)
        {
            PciBarKind kind = BarKind(bar);
            if ((kind != PciBarKind.Memory32 && kind != PciBarKind.Memory64)
                || !MsixTable.Fits(vectors, BarSize(bar), tableOffset, pbaOffset))
            {
                return PciStatus.InvalidArgument;
            }
            if (_msix != null)
            {
                return PciStatus.InUse;
            }
            int cap = _config.AddCapability(MsixCapabilityId, MsixCapabilityLength);
            if (cap == 0)
            {
                return PciStatus.ConfigSpaceFull;
            }
            // Message control: table size N-1 in bits 10:0 (read-only), Function Mask and Enable in bits 14 and 15.
            _config.Set16(cap + 2, (ushort)(vectors - 1));
            _config.SetWritable(cap + 3, (byte)((MsixEnable | MsixFunctionMask) >> 8));
            // Offset in bits 31:3, BAR indicator register in bits 2:0.
            _config.Set32(cap + 4, tableOffset | (uint)bar);
            _config.Set32(cap + 8, pbaOffset | (uint)bar);
            _msix = new MsixTable(vectors, bar, tableOffset, pbaOffset);
            _msixCapability = cap;
            return PciStatus.Ok;
        }

        /// <summary>The configuration bytes, for the subclass's own registers and capabilities.</summary>
        protected PciConfigSpace Config { get { return _config; } }

        /// <summary>Called before a configuration read of the dword at <paramref name="dword"/> (for registers computed on access).</summary>
        protected virtual void BeforeConfigRead(int dword)
        {
        }

        /// <summary>Called after a configuration write to the dword at <paramref name="dword"/> has been applied.</summary>
        protected virtual void AfterConfigWrite(int dword)
        {
        }

        /// <summary>A BAR read the MSI-X table did not claim; the default is an empty region (all ones).</summary>
        protected virtual ulong OnBarRead(int bar, ulong offset, int size)
        {
            return ulong.MaxValue;
        }

        protected virtual void OnBarWrite(int bar, ulong offset, int size, ulong value)
        {
        }

        /// <summary>Bytes the subclass adds to the saved state.</summary>
        protected virtual int FunctionStateSize { get { return 0; } }

        protected virtual void SaveFunctionState(ref StateWriter writer)
        {
        }

        /// <summary>Restores the subclass's part; sets <paramref name="valid"/> false for a value the device could not have had.</summary>
        protected virtual void LoadFunctionState(ref StateReader reader, ref bool valid)
        {
        }

        private DeviceStateStatus LoadBody(ReadOnlySpan<byte> source)
        {
            StateReader reader = new StateReader(source.Slice(StateHeaderSize));
            bool valid = true;
            _config.LoadWritable(ref reader);
            for (int bar = 0; bar < BarCount; bar++)
            {
                _bars.Write(bar, reader.U32());
            }
            _intxRequested = reader.Bool(ref valid);
            if (_msix != null)
            {
                ushort control = _config.Read16(_msixCapability + 2);
                _msix.LoadControl((control & MsixEnable) != 0, (control & MsixFunctionMask) != 0);
                _msix.Load(ref reader);
            }
            LoadFunctionState(ref reader, ref valid);
            UpdateIntx();
            return reader.Truncated ? DeviceStateStatus.Truncated : valid ? DeviceStateStatus.Ok : DeviceStateStatus.Invalid;
        }

        private void UpdateIntx()
        {
            ushort status = _config.Read16(StatusRegister);
            _config.Set16(StatusRegister, (ushort)(_intxRequested ? status | StatusInterrupt : status & ~StatusInterrupt));
            bool assert = _intxRequested && InterruptPin != 0 && (Command & CommandInterruptDisable) == 0 && !MsixEnabled;
            if (assert == _intxAsserted)
            {
                return;
            }
            _intxAsserted = assert;
            if (_sink != null)
            {
                _sink.SetIntx(assert);
            }
        }

        private static bool WithinDword(int offset, int size)
        {
            return offset >= 0 && offset < ConfigSpaceSize && (size == 1 || size == 2 || size == 4)
                && (offset & 3) + size <= 4;
        }
    }
}
