using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// What the management server asks of the host: one method per operation. The kernel implements it over
    /// the VM manager; tests implement it with fakes. Every method returns an <see cref="ErrorCode"/> and
    /// fills a result object the server owns and reuses (so nothing is allocated per request); strings the
    /// host puts in results are only read, so pass the host's own strings, do not build new ones.
    /// Called on the server's thread, one request at a time.
    /// </summary>
    public abstract class HostControl
    {
        private string _errorDetail;

        /// <summary>Milliseconds since the host started (the server's time source; HostInfo.UptimeMs).</summary>
        public abstract ulong UptimeMilliseconds();

        /// <summary>Fill version, CPU features, memory and VM count (the server fills UptimeMs).</summary>
        public abstract ErrorCode GetHostInfo(HostInfoResult result);

        /// <summary>Call <see cref="TemplateListWriter.Add"/> for each template; stop when it returns false.</summary>
        public abstract ErrorCode ListTemplates(TemplateListWriter list);

        /// <summary>
        /// Create a VM from a template. The server has checked that both names are 1..64 bytes of UTF-8
        /// without control characters; MemoryMiB or Vcpus of 0 mean "the template's". Keep the name with
        /// request.Name.ToNewString() (allocation at VM creation is fine).
        /// </summary>
        public abstract ErrorCode CreateVm(CreateVmRequest request, out uint vmId);

        public abstract ErrorCode StartVm(uint vmId);

        /// <summary>
        /// Stop a VM: graceful (ask the guest, give it <paramref name="gracefulTimeoutMs"/>, then force) or
        /// forced. May return Ok once the stop is under way; GetVm shows Stopping until it is done.
        /// </summary>
        public abstract ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs);

        public abstract ErrorCode PauseVm(uint vmId);

        public abstract ErrorCode ResumeVm(uint vmId);

        public abstract ErrorCode RemoveVm(uint vmId);

        /// <summary>
        /// Call <see cref="VmListWriter.Add"/> for each VM with id ≥ <paramref name="fromId"/>, in ascending id
        /// order (VM ids start at 1); stop when Add returns false (the response is full; the client asks for
        /// the next page from that id).
        /// </summary>
        public abstract ErrorCode ListVms(uint fromId, VmListWriter list);

        /// <summary>Fill every field of <paramref name="result"/> (it was cleared), counters included.</summary>
        public abstract ErrorCode GetVm(uint vmId, VmDetails result);

        /// <summary>
        /// Copy at most <paramref name="maxBytes"/> console output bytes starting at stream offset
        /// <paramref name="fromOffset"/> into result.Data, set Count and NextOffset (offset after the last byte
        /// returned). If fromOffset is older than what is still buffered, start at the oldest buffered byte
        /// and set Dropped. If fromOffset is beyond the end, return no bytes and NextOffset = the end.
        /// </summary>
        public abstract ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result);

        /// <summary>Queue data[offset..+count) as console input; <paramref name="accepted"/> = bytes taken.</summary>
        public abstract ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted);

        /// <summary>Fill the VM's counters (they were cleared).</summary>
        public abstract ErrorCode GetMetrics(uint vmId, VmCounters counters);

        /// <summary>Returns <paramref name="code"/> and attaches a short explanation for the client (use a literal).</summary>
        protected ErrorCode Fail(ErrorCode code, string detail)
        {
            _errorDetail = detail;
            return code;
        }

        /// <summary>The detail attached by <see cref="Fail"/> since the last call, then forgets it (server use).</summary>
        public string TakeErrorDetail()
        {
            string detail = _errorDetail;
            _errorDetail = null;
            return detail;
        }
    }

    /// <summary>Where the server's encoded frames go (the UART, a TCP connection, a test buffer).</summary>
    public abstract class ByteSink
    {
        /// <summary>Writes all the bytes; the buffer is reused after the call returns.</summary>
        public abstract void Write(byte[] buffer, int offset, int count);
    }

    /// <summary>Unpredictable bytes for server nonces (kernel: RDRAND/RDSEED mixed with the TSC).</summary>
    public abstract class EntropySource
    {
        public abstract void Fill(byte[] buffer, int offset, int count);
    }

    public sealed class HostInfoResult
    {
        /// <summary>Hypervisor version string, e.g. "Hv 0.1.0".</summary>
        public string Version;
        /// <summary>Bit mask of <see cref="CpuFeature"/>.</summary>
        public ulong CpuFeatures;
        /// <summary>The same as words, e.g. "vmx ept vpid unrestricted-guest".</summary>
        public string CpuFeatureNames;
        public ulong MemoryTotalBytes;
        public ulong MemoryFreeBytes;
        public ulong UptimeMs;
        public uint VmCount;

        public void Clear()
        {
            Version = null;
            CpuFeatures = 0;
            CpuFeatureNames = null;
            MemoryTotalBytes = 0;
            MemoryFreeBytes = 0;
            UptimeMs = 0;
            VmCount = 0;
        }
    }

    /// <summary>Bits of <see cref="HostInfoResult.CpuFeatures"/>. Stable; only append.</summary>
    public static class CpuFeature
    {
        public const ulong Vmx = 1UL << 0;
        public const ulong Ept = 1UL << 1;
        public const ulong Vpid = 1UL << 2;
        public const ulong UnrestrictedGuest = 1UL << 3;
        public const ulong Svm = 1UL << 4;
        public const ulong Npt = 1UL << 5;
        public const ulong X2Apic = 1UL << 6;
        public const ulong InvariantTsc = 1UL << 7;
        public const ulong Rdrand = 1UL << 8;
        public const ulong Xsave = 1UL << 9;
        public const ulong OneGiBPages = 1UL << 10;
    }

    public sealed class CreateVmRequest
    {
        public readonly Utf8Field Template = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        /// <summary>0 = the template's.</summary>
        public uint MemoryMiB;
        /// <summary>0 = the template's.</summary>
        public uint Vcpus;

        public void Clear()
        {
            Template.Clear();
            Name.Clear();
            MemoryMiB = 0;
            Vcpus = 0;
        }
    }

    /// <summary>Per-VM counters (GetVm, GetMetrics), indexed by <see cref="CounterId"/>.</summary>
    public sealed class VmCounters
    {
        private readonly ulong[] _values = new ulong[(int)CounterId.Count];

        public ulong Get(CounterId id)
        {
            int i = (int)id;
            return i >= 0 && i < _values.Length ? _values[i] : 0;
        }

        public void Set(CounterId id, ulong value)
        {
            int i = (int)id;
            if (i >= 0 && i < _values.Length)
            {
                _values[i] = value;
            }
        }

        public int Count { get { return _values.Length; } }

        public ulong TotalExits { get { return _values[(int)CounterId.TotalExits]; } set { _values[(int)CounterId.TotalExits] = value; } }
        public ulong IoExits { get { return _values[(int)CounterId.IoExits]; } set { _values[(int)CounterId.IoExits] = value; } }
        public ulong EptExits { get { return _values[(int)CounterId.EptExits]; } set { _values[(int)CounterId.EptExits] = value; } }
        public ulong HltExits { get { return _values[(int)CounterId.HltExits]; } set { _values[(int)CounterId.HltExits] = value; } }
        public ulong CpuidExits { get { return _values[(int)CounterId.CpuidExits]; } set { _values[(int)CounterId.CpuidExits] = value; } }
        public ulong MsrExits { get { return _values[(int)CounterId.MsrExits]; } set { _values[(int)CounterId.MsrExits] = value; } }
        public ulong InterruptExits { get { return _values[(int)CounterId.InterruptExits]; } set { _values[(int)CounterId.InterruptExits] = value; } }
        public ulong OtherExits { get { return _values[(int)CounterId.OtherExits]; } set { _values[(int)CounterId.OtherExits] = value; } }
        public ulong ConsoleBytesOut { get { return _values[(int)CounterId.ConsoleBytesOut]; } set { _values[(int)CounterId.ConsoleBytesOut] = value; } }
        public ulong ConsoleBytesIn { get { return _values[(int)CounterId.ConsoleBytesIn]; } set { _values[(int)CounterId.ConsoleBytesIn] = value; } }
        public ulong GuestTsc { get { return _values[(int)CounterId.GuestTsc]; } set { _values[(int)CounterId.GuestTsc] = value; } }
        public ulong RunTimeMs { get { return _values[(int)CounterId.RunTimeMs]; } set { _values[(int)CounterId.RunTimeMs] = value; } }

        public void Clear()
        {
            for (int i = 0; i < _values.Length; i++)
            {
                _values[i] = 0;
            }
        }

        /// <summary>Wire form: count varint, then that many varints in <see cref="CounterId"/> order.</summary>
        public void WriteTo(MessageWriter writer)
        {
            writer.WriteVarUInt((ulong)_values.Length);
            for (int i = 0; i < _values.Length; i++)
            {
                writer.WriteVarUInt(_values[i]);
            }
        }
    }

    public sealed class VmDetails
    {
        public uint Id;
        public string Name;
        public VmState State;
        public StopReason StopReason;
        /// <summary>Free text about the stop (e.g. "triple fault at RIP 0x1000"); may be null.</summary>
        public string StopDetail;
        /// <summary>The guest's exit code (test exit device), 0 if none.</summary>
        public int ExitCode;
        public uint MemoryMiB;
        public uint Vcpus;
        public string Template;
        public readonly VmCounters Counters = new VmCounters();

        public void Clear()
        {
            Id = 0;
            Name = null;
            State = VmState.Unknown;
            StopReason = StopReason.None;
            StopDetail = null;
            ExitCode = 0;
            MemoryMiB = 0;
            Vcpus = 0;
            Template = null;
            Counters.Clear();
        }
    }

    public sealed class ConsoleReadResult
    {
        /// <summary>Host copies the bytes here, from index 0 (capacity <see cref="ProtocolInfo.MaxConsoleChunk"/>).</summary>
        public readonly byte[] Data = new byte[ProtocolInfo.MaxConsoleChunk];
        public int Count;
        /// <summary>Stream offset after the last byte returned: the next ReadConsole's fromOffset.</summary>
        public ulong NextOffset;
        /// <summary>Output between fromOffset and the first byte returned was overwritten before it was read.</summary>
        public bool Dropped;

        public void Clear()
        {
            Count = 0;
            NextOffset = 0;
            Dropped = false;
        }
    }

    /// <summary>
    /// Writes the ListVms response entries straight into the outgoing frame (no list is built).
    /// Entry: id varint | name (len + UTF-8) | state u8 | stop reason u8 | memory MiB varint | vCPUs varint.
    /// </summary>
    public sealed class VmListWriter
    {
        private MessageWriter _writer;
        private int _countPosition;
        private int _reserve;
        private int _count;
        private bool _full;
        private uint _nextId;

        public int Count { get { return _count; } }

        /// <summary>True once an entry did not fit; the client continues from <see cref="NextId"/>.</summary>
        public bool Full { get { return _full; } }

        public uint NextId { get { return _nextId; } }

        internal void Begin(MessageWriter writer, int reserve)
        {
            _writer = writer;
            _reserve = reserve;
            _count = 0;
            _full = false;
            _nextId = 0;
            _countPosition = writer.Position;
            writer.WriteUInt16(0);
        }

        /// <summary>Appends one VM; false when the response is full (stop enumerating).</summary>
        public bool Add(uint id, string name, VmState state, StopReason stopReason, uint memoryMiB, uint vcpus)
        {
            if (_full || _count >= 0xFFFF)
            {
                return false;
            }
            int start = _writer.Position;
            _writer.WriteVarUInt(id);
            _writer.WriteString(name, ProtocolInfo.MaxNameBytes);
            _writer.WriteByte((byte)state);
            _writer.WriteByte((byte)stopReason);
            _writer.WriteVarUInt(memoryMiB);
            _writer.WriteVarUInt(vcpus);
            if (_writer.Overflow || _writer.Remaining < _reserve)
            {
                _writer.Truncate(start);
                _full = true;
                _nextId = id;
                return false;
            }
            _count++;
            return true;
        }

        internal void End()
        {
            _writer.PatchUInt16(_countPosition, (ushort)_count);
            // 0 = no more; otherwise the id to ask for next.
            _writer.WriteVarUInt(_full ? _nextId : 0);
        }
    }

    /// <summary>
    /// Writes the ListTemplates response entries into the outgoing frame.
    /// Entry: name | memory MiB varint | vCPUs varint | entry mode (len + UTF-8, e.g. "flat", "multiboot", "linux").
    /// </summary>
    public sealed class TemplateListWriter
    {
        private MessageWriter _writer;
        private int _countPosition;
        private int _reserve;
        private int _count;
        private bool _full;

        public int Count { get { return _count; } }
        public bool Full { get { return _full; } }

        internal void Begin(MessageWriter writer, int reserve)
        {
            _writer = writer;
            _reserve = reserve;
            _count = 0;
            _full = false;
            _countPosition = writer.Position;
            writer.WriteUInt16(0);
        }

        public bool Add(string name, uint memoryMiB, uint vcpus, string entryMode)
        {
            if (_full || _count >= 0xFFFF)
            {
                return false;
            }
            int start = _writer.Position;
            _writer.WriteString(name, ProtocolInfo.MaxNameBytes);
            _writer.WriteVarUInt(memoryMiB);
            _writer.WriteVarUInt(vcpus);
            _writer.WriteString(entryMode, ProtocolInfo.MaxNameBytes);
            if (_writer.Overflow || _writer.Remaining < _reserve)
            {
                _writer.Truncate(start);
                _full = true;
                return false;
            }
            _count++;
            return true;
        }

        internal void End()
        {
            _writer.PatchUInt16(_countPosition, (ushort)_count);
            _writer.WriteBool(_full);
        }
    }
}
