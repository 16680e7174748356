using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>The ids CreateVms made, in name order (capacity <see cref="ProtocolInfo.MaxVmsPerCreate"/>).</summary>
    public sealed class VmIdList
    {
        private readonly uint[] _ids = new uint[ProtocolInfo.MaxVmsPerCreate];
        private int _count;

        public int Count { get { return _count; } }

        public uint Get(int index)
        {
            return index >= 0 && index < _count ? _ids[index] : 0;
        }

        /// <summary>False when the list is full.</summary>
        public bool Add(uint id)
        {
            if (_count >= _ids.Length)
            {
                return false;
            }
            _ids[_count++] = id;
            return true;
        }

        public void Clear()
        {
            _count = 0;
        }
    }

    /// <summary>Names of the VMs CreateVms makes: base name, '-', the number in decimal ("web-1", "web-2", ...).</summary>
    public static class VmNames
    {
        /// <summary>Bytes "-" + the decimal digits of <paramref name="number"/> add to a base name.</summary>
        public static int SuffixBytes(uint number)
        {
            int digits = 1;
            while (number >= 10)
            {
                number /= 10;
                digits++;
            }
            return 1 + digits;
        }

        /// <summary>Writes baseName + "-" + number into <paramref name="into"/>; false if it would not fit.</summary>
        public static bool Numbered(Utf8Field baseName, uint number, Utf8Field into)
        {
            int suffix = SuffixBytes(number);
            int length = baseName.Length + suffix;
            if (length > into.Capacity || length > ProtocolInfo.MaxNameBytes)
            {
                into.Clear();
                return false;
            }
            if (!into.Set(baseName.Bytes, 0, baseName.Length))
            {
                return false;
            }
            // Set copied the base; the suffix goes after it, digits from the right.
            byte[] bytes = into.Bytes;
            int pos = length;
            uint n = number;
            do
            {
                bytes[--pos] = (byte)('0' + (int)(n % 10));
                n /= 10;
            }
            while (n != 0);
            bytes[--pos] = (byte)'-';
            return into.SetLength(length);
        }
    }

    /// <summary>BeginTemplateUpload's fields, received into fixed buffers (the server reuses one).</summary>
    public sealed class TemplateUploadRequest
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public GuestEntryMode EntryMode;
        /// <summary>Default guest memory of VMs made from the template; 0 = the host's default.</summary>
        public uint MemoryMiB;
        /// <summary>Size of the whole image (1..<see cref="ProtocolInfo.MaxTransferBytes"/>).</summary>
        public ulong TotalBytes;
        /// <summary>SHA-256 of the whole image (<see cref="ProtocolInfo.Sha256Bytes"/> bytes).</summary>
        public readonly byte[] Sha256 = new byte[ProtocolInfo.Sha256Bytes];
        /// <summary>Kernel command line (may be empty).</summary>
        public readonly Utf8Field CommandLine = new Utf8Field(ProtocolInfo.MaxCommandLineBytes);

        /// <summary>True if <paramref name="digest"/>[offset..+32) equals <see cref="Sha256"/>.</summary>
        public bool Sha256Equals(byte[] digest, int offset)
        {
            int diff = 0;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++)
            {
                diff |= Sha256[i] ^ digest[offset + i];
            }
            return diff == 0;
        }

        public void Clear()
        {
            Name.Clear();
            EntryMode = GuestEntryMode.Real;
            MemoryMiB = 0;
            TotalBytes = 0;
            for (int i = 0; i < Sha256.Length; i++)
            {
                Sha256[i] = 0;
            }
            CommandLine.Clear();
        }
    }

    /// <summary>ReadExport's answer: the host copies image bytes into Data from index 0 and sets Count.</summary>
    public sealed class ExportChunk
    {
        public readonly byte[] Data = new byte[ProtocolInfo.MaxTransferChunk];
        public int Count;

        public void Clear()
        {
            Count = 0;
        }
    }

    /// <summary>
    /// Writes the ListSnapshots response entries into the outgoing frame, in ascending snapshot id order.
    /// Entry: id varint | name (len + UTF-8) | created (host uptime ms) varint | private pages varint | shared pages varint.
    /// Private pages are the ones only this snapshot holds (freed when it is removed); shared pages it shares with
    /// its VM, other snapshots or a template.
    /// </summary>
    public sealed class SnapshotListWriter : ListResponseWriter
    {
        private uint _nextId;

        /// <summary>Where the client continues once <see cref="ListResponseWriter.Full"/>.</summary>
        public uint NextId { get { return _nextId; } }

        protected override void OnBegin()
        {
            _nextId = 0;
        }

        /// <summary>Appends one snapshot; false when the response is full (stop enumerating).</summary>
        public bool Add(uint id, string name, ulong createdUptimeMs, ulong privatePages, ulong sharedPages)
        {
            if (!BeginEntry())
            {
                return false;
            }
            Writer.WriteVarUInt(id);
            Writer.WriteString(name, ProtocolInfo.MaxNameBytes);
            Writer.WriteVarUInt(createdUptimeMs);
            Writer.WriteVarUInt(privatePages);
            Writer.WriteVarUInt(sharedPages);
            if (!EndEntry(0))
            {
                _nextId = id;
                return false;
            }
            return true;
        }

        internal void End()
        {
            PatchCount();
            Writer.WriteVarUInt(Full ? _nextId : 0);
        }
    }
}
