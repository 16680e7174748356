namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// One PCI function with a type-0 configuration header (PCI Local Bus 3.0, 6.1-6.2): identity registers
    /// fixed at construction, the writable command, cache-line, interrupt-line and BAR registers, a capability
    /// list, and optionally MSI-X. Subclasses declare their BARs and capabilities in their constructor and
    /// implement the registers behind their BARs.
    ///
    /// Configuration space is 256 bytes with a write mask per byte: a write changes only the masked bits, so
    /// read-only fields cannot be changed by any access width or offset. BARs take the bits their size allows
    /// (writing all ones reads back the size mask, 6.2.5.1). The bus routes an MMIO or port access to
    /// <see cref="ReadBar"/>/<see cref="WriteBar"/> only while the command register enables that space.
    /// </summary>
    public abstract class PciFunction
    {
        public const int ConfigSpaceSize = 256;
        public const int BarCount = 6;

        public const int VendorIdRegister = 0x00;
        public const int DeviceIdRegister = 0x02;
        public const int CommandRegister = 0x04;
        public const int StatusRegister = 0x06;
        public const int RevisionRegister = 0x08;
        public const int ClassCodeRegister = 0x09;
        public const int CacheLineRegister = 0x0C;
        public const int HeaderTypeRegister = 0x0E;
        public const int FirstBarRegister = 0x10;
        public const int SubsystemVendorRegister = 0x2C;
        public const int SubsystemIdRegister = 0x2E;
        public const int ExpansionRomRegister = 0x30;
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

        // Capabilities live after the 64-byte header (6.7), dword aligned.
        private const int FirstCapabilityOffset = 0x40;

        private readonly byte[] _config = new byte[ConfigSpaceSize];
        private readonly byte[] _writable = new byte[ConfigSpaceSize];
        private readonly PciBarKind[] _barKind = new PciBarKind[BarCount];
        private readonly ulong[] _barSize = new ulong[BarCount];
        private readonly uint[] _barFlags = new uint[BarCount];
        private int _nextCapability = FirstCapabilityOffset;
        private int _lastCapability;
        private MsixTable _msix;
        private int _msixCapability;
        private int _msixBar;
        private uint _msixTableOffset;
        private uint _msixPbaOffset;
        private bool _intxRequested;
        private bool _intxAsserted;
        private PciInterruptSink _sink;

        /// <param name="classCode">Base class, subclass and programming interface as one 24-bit value (0x020000 = Ethernet).</param>
        /// <param name="interruptPin">0 for none, 1-4 for INTA#-INTD#.</param>
        protected PciFunction(ushort vendorId, ushort deviceId, byte revision, uint classCode,
                              ushort subsystemVendorId, ushort subsystemId, byte interruptPin)
        {
            SetConfig16(VendorIdRegister, vendorId);
            SetConfig16(DeviceIdRegister, deviceId);
            _config[RevisionRegister] = revision;
            _config[ClassCodeRegister] = (byte)classCode;
            _config[ClassCodeRegister + 1] = (byte)(classCode >> 8);
            _config[ClassCodeRegister + 2] = (byte)(classCode >> 16);
            SetConfig16(SubsystemVendorRegister, subsystemVendorId);
            SetConfig16(SubsystemIdRegister, subsystemId);
            _config[InterruptPinRegister] = interruptPin;
            _writable[CommandRegister] = (byte)(CommandWritable & 0xFF);
            _writable[CommandRegister + 1] = (byte)(CommandWritable >> 8);
            _writable[CacheLineRegister] = 0xFF;
            _writable[InterruptLineRegister] = 0xFF;
        }

        public ushort VendorId { get { return Config16(VendorIdRegister); } }
        public ushort DeviceId { get { return Config16(DeviceIdRegister); } }
        public ushort Command { get { return Config16(CommandRegister); } }
        public byte InterruptPin { get { return _config[InterruptPinRegister]; } }

        /// <summary>The interrupt line register: firmware's note of the IRQ the pin is routed to (6.2.4); no effect on the device.</summary>
        public byte InterruptLine
        {
            get { return _config[InterruptLineRegister]; }
            set { _config[InterruptLineRegister] = value; }
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
            return bar >= 0 && bar < BarCount ? _barKind[bar] : PciBarKind.None;
        }

        /// <summary>Bytes the BAR decodes (for a 64-bit BAR, on its lower index); 0 when not implemented.</summary>
        public ulong BarSize(int bar)
        {
            return bar >= 0 && bar < BarCount ? _barSize[bar] : 0;
        }

        /// <summary>The base address the guest (or firmware) programmed into the BAR.</summary>
        public ulong BarAddress(int bar)
        {
            PciBarKind kind = BarKind(bar);
            uint low = Config32(FirstBarRegister + bar * 4);
            switch (kind)
            {
                case PciBarKind.Io:
                    return low & 0xFFFCu;
                case PciBarKind.Memory32:
                    return low & 0xFFFFFFF0u;
                case PciBarKind.Memory64:
                    return (low & 0xFFFFFFF0u) | ((ulong)Config32(FirstBarRegister + bar * 4 + 4) << 32);
                default:
                    return 0;
            }
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
            WriteBarRegister(bar, (uint)address);
            if (BarKind(bar) == PciBarKind.Memory64)
            {
                WriteBarRegister(bar + 1, (uint)(address >> 32));
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
                value |= (uint)_config[offset + i] << (i * 8);
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
            if (dword >= FirstBarRegister && dword < FirstBarRegister + BarCount * 4)
            {
                uint merged = Config32(dword);
                for (int i = 0; i < size; i++)
                {
                    int shift = (offset - dword + i) * 8;
                    merged = (merged & ~(0xFFu << shift)) | (((value >> (i * 8)) & 0xFF) << shift);
                }
                WriteBarRegister((dword - FirstBarRegister) / 4, merged);
                return;
            }
            for (int i = 0; i < size; i++)
            {
                int at = offset + i;
                byte mask = _writable[at];
                _config[at] = (byte)((_config[at] & ~mask) | ((byte)(value >> (i * 8)) & mask));
            }
            if (dword == CommandRegister)
            {
                UpdateIntx();
            }
            if (_msix != null && dword == _msixCapability)
            {
                ushort control = Config16(_msixCapability + 2);
                _msix.SetControl((control & MsixEnable) != 0, (control & MsixFunctionMask) != 0, _sink);
                UpdateIntx();
            }
            AfterConfigWrite(dword);
        }

        /// <summary>A read of <paramref name="size"/> (1, 2, 4 or 8) bytes at <paramref name="offset"/> into the BAR.</summary>
        public ulong ReadBar(int bar, ulong offset, int size)
        {
            if (_msix != null && bar == _msixBar)
            {
                if (offset >= _msixTableOffset && offset < _msixTableOffset + (ulong)_msix.TableSize)
                {
                    return _msix.ReadTable((int)(offset - _msixTableOffset), size);
                }
                if (offset >= _msixPbaOffset && offset < _msixPbaOffset + (ulong)_msix.PbaSize)
                {
                    return _msix.ReadPba((int)(offset - _msixPbaOffset), size);
                }
            }
            return OnBarRead(bar, offset, size);
        }

        public void WriteBar(int bar, ulong offset, int size, ulong value)
        {
            if (_msix != null && bar == _msixBar)
            {
                if (offset >= _msixTableOffset && offset < _msixTableOffset + (ulong)_msix.TableSize)
                {
                    _msix.WriteTable((int)(offset - _msixTableOffset), size, value, _sink);
                    return;
                }
                if (offset >= _msixPbaOffset && offset < _msixPbaOffset + (ulong)_msix.PbaSize)
                {
                    return;
                }
            }
            OnBarWrite(bar, offset, size, value);
        }

        /// <summary>
        /// Power-on state: command, BARs, interrupt line and every writable capability bit back to 0, MSI-X off with
        /// all vectors masked, the INTx pin released. Subclasses reset their own registers and call this.
        /// </summary>
        public virtual void Reset()
        {
            for (int i = 0; i < ConfigSpaceSize; i++)
            {
                _config[i] = (byte)(_config[i] & ~_writable[i]);
            }
            for (int bar = 0; bar < BarCount; bar++)
            {
                SetConfig32(FirstBarRegister + bar * 4, _barFlags[bar]);
            }
            if (_msix != null)
            {
                _msix.Reset();
            }
            _intxRequested = false;
            UpdateIntx();
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
            bool wide = kind == PciBarKind.Memory64;
            if (bar < 0 || bar + (wide ? 1 : 0) >= BarCount || kind == PciBarKind.None || kind == PciBarKind.Memory64High
                || (size & (size - 1)) != 0 || (kind == PciBarKind.Io && (size < 4 || size > 256))
                || (kind != PciBarKind.Io && (size < 16 || (kind == PciBarKind.Memory32 && size > 0x80000000UL))))
            {
                return PciStatus.InvalidArgument;
            }
            if (_barKind[bar] != PciBarKind.None || (wide && _barKind[bar + 1] != PciBarKind.None))
            {
                return PciStatus.InUse;
            }
            // Bit 0 = I/O space; bits 2:1 = 10 for a 64-bit memory BAR; bit 3 = prefetchable (6.2.5.1).
            uint flags = kind == PciBarKind.Io ? 1u : (wide ? 4u : 0u) | (prefetchable ? 8u : 0u);
            _barKind[bar] = kind;
            _barSize[bar] = size;
            _barFlags[bar] = flags;
            SetConfig32(FirstBarRegister + bar * 4, flags);
            if (wide)
            {
                _barKind[bar + 1] = PciBarKind.Memory64High;
            }
            return PciStatus.Ok;
        }

        /// <summary>
        /// Appends a capability of <paramref name="length"/> bytes (ID and next pointer included) to the list and
        /// returns its offset, or 0 when it does not fit below 0x100. Its body is read-only until the subclass marks
        /// bytes writable with <see cref="SetWritable"/>.
        /// </summary>
        protected int AddCapability(byte id, int length)
        {
            int offset = _nextCapability;
            int end = offset + ((length + 3) & ~3);
            if (length < 2 || end > ConfigSpaceSize)
            {
                return 0;
            }
            _config[offset] = id;
            if (_lastCapability == 0)
            {
                _config[CapabilitiesRegister] = (byte)offset;
                SetConfig16(StatusRegister, (ushort)(Config16(StatusRegister) | StatusCapabilities));
            }
            else
            {
                _config[_lastCapability + 1] = (byte)offset;
            }
            _lastCapability = offset;
            _nextCapability = end;
            return offset;
        }

        /// <summary>
        /// Adds an MSI-X capability with <paramref name="vectors"/> vectors whose table and pending-bit array sit
        /// at the given offsets (qword aligned) of memory BAR <paramref name="bar"/> (6.8.2).
        /// </summary>
        protected PciStatus AddMsix(int vectors, int bar, uint tableOffset, uint pbaOffset)
        {
            PciBarKind kind = BarKind(bar);
            ulong size = BarSize(bar);
            ulong tableEnd = tableOffset + (ulong)vectors * MsixTable.EntrySize;
            ulong pbaEnd = pbaOffset + (ulong)((vectors + 63) / 64) * 8;
            if (vectors < 1 || vectors > 2048 || (kind != PciBarKind.Memory32 && kind != PciBarKind.Memory64)
                || (tableOffset & 7) != 0 || (pbaOffset & 7) != 0 || tableEnd > size || pbaEnd > size
                || (tableOffset < pbaEnd && pbaOffset < tableEnd))
            {
                return PciStatus.InvalidArgument;
            }
            if (_msix != null)
            {
                return PciStatus.InUse;
            }
            int cap = AddCapability(MsixCapabilityId, MsixCapabilityLength);
            if (cap == 0)
            {
                return PciStatus.ConfigSpaceFull;
            }
            // Message control: table size N-1 in bits 10:0 (read-only), Function Mask and Enable in bits 14 and 15.
            SetConfig16(cap + 2, (ushort)(vectors - 1));
            _writable[cap + 3] = (byte)((MsixEnable | MsixFunctionMask) >> 8);
            // Offset in bits 31:3, BAR indicator register in bits 2:0.
            SetConfig32(cap + 4, tableOffset | (uint)bar);
            SetConfig32(cap + 8, pbaOffset | (uint)bar);
            _msix = new MsixTable(vectors);
            _msixCapability = cap;
            _msixBar = bar;
            _msixTableOffset = tableOffset;
            _msixPbaOffset = pbaOffset;
            return PciStatus.Ok;
        }

        protected void SetWritable(int offset, byte mask)
        {
            _writable[offset] = mask;
        }

        protected byte Config8(int offset)
        {
            return _config[offset];
        }

        protected ushort Config16(int offset)
        {
            return (ushort)(_config[offset] | (_config[offset + 1] << 8));
        }

        protected uint Config32(int offset)
        {
            return Config16(offset) | ((uint)Config16(offset + 2) << 16);
        }

        /// <summary>Sets configuration bytes directly, bypassing the write masks (for the device's own fields).</summary>
        protected void SetConfig8(int offset, byte value)
        {
            _config[offset] = value;
        }

        protected void SetConfig16(int offset, ushort value)
        {
            _config[offset] = (byte)value;
            _config[offset + 1] = (byte)(value >> 8);
        }

        protected void SetConfig32(int offset, uint value)
        {
            SetConfig16(offset, (ushort)value);
            SetConfig16(offset + 2, (ushort)(value >> 16));
        }

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

        /// <summary>
        /// Bytes <see cref="SaveConfigState"/> writes: the writable configuration bytes (BARs have no write mask:
        /// they are saved whole), the six BARs, the INTx request and the MSI-X table.
        /// </summary>
        protected int ConfigStateSize
        {
            get
            {
                int size = BarCount * 4 + 1;
                for (int i = 0; i < ConfigSpaceSize; i++)
                {
                    if (_writable[i] != 0)
                    {
                        size++;
                    }
                }
                if (_msix != null)
                {
                    size += _msix.TableSize + _msix.PbaSize;
                }
                return size;
            }
        }

        protected void SaveConfigState(ref StateWriter writer)
        {
            for (int i = 0; i < ConfigSpaceSize; i++)
            {
                if (_writable[i] != 0)
                {
                    writer.U8((byte)(_config[i] & _writable[i]));
                }
            }
            for (int bar = 0; bar < BarCount; bar++)
            {
                writer.U32(Config32(FirstBarRegister + bar * 4));
            }
            writer.Bool(_intxRequested);
            if (_msix != null)
            {
                _msix.Save(ref writer);
            }
        }

        /// <summary>
        /// Restores what <see cref="SaveConfigState"/> wrote. Every value is masked as a guest write would be, so no
        /// saved byte can produce a state the device could not reach; the sink is told the restored INTx level.
        /// </summary>
        protected void LoadConfigState(ref StateReader reader, ref bool valid)
        {
            for (int i = 0; i < ConfigSpaceSize; i++)
            {
                if (_writable[i] != 0)
                {
                    _config[i] = (byte)((_config[i] & ~_writable[i]) | (reader.U8() & _writable[i]));
                }
            }
            for (int bar = 0; bar < BarCount; bar++)
            {
                WriteBarRegister(bar, reader.U32());
            }
            _intxRequested = reader.Bool(ref valid);
            if (_msix != null)
            {
                ushort control = Config16(_msixCapability + 2);
                _msix.LoadControl((control & MsixEnable) != 0, (control & MsixFunctionMask) != 0);
                _msix.Load(ref reader);
            }
            UpdateIntx();
        }

        private void WriteBarRegister(int bar, uint value)
        {
            if (bar < 0 || bar >= BarCount)
            {
                return;
            }
            int register = FirstBarRegister + bar * 4;
            switch (_barKind[bar])
            {
                case PciBarKind.Io:
                    // 16-bit I/O decode: bits 31:16 read as 0, like a device on an x86 ISA-compatible bus.
                    SetConfig32(register, (value & 0xFFFCu & ~(uint)(_barSize[bar] - 1)) | _barFlags[bar]);
                    break;
                case PciBarKind.Memory32:
                case PciBarKind.Memory64:
                    SetConfig32(register, (value & 0xFFFFFFF0u & ~(uint)(_barSize[bar] - 1)) | _barFlags[bar]);
                    break;
                case PciBarKind.Memory64High:
                    SetConfig32(register, value & ~(uint)((_barSize[bar - 1] - 1) >> 32));
                    break;
            }
        }

        private void UpdateIntx()
        {
            SetConfig16(StatusRegister, (ushort)(_intxRequested
                ? Config16(StatusRegister) | StatusInterrupt
                : Config16(StatusRegister) & ~StatusInterrupt));
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
