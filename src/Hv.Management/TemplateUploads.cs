using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// Template uploads in progress (New-HvTemplate). Few at a time: each holds its whole image until it is committed
    /// or dropped.
    /// </summary>
    internal sealed class TemplateUploads
    {
        public const int Capacity = 4;
        /// <summary>The largest template image an upload may announce.</summary>
        public const ulong MaxImageBytes = 4UL << 20;

        internal sealed class Upload
        {
            public uint Id;
            public string Name, CommandLine;
            public GuestEntryMode Mode;
            public ulong MemoryBytes;
            public readonly byte[] Sha256 = new byte[ProtocolInfo.Sha256Bytes];
            public byte[] Data;
            public ulong Received;

            public bool Complete { get { return Received == (ulong)Data.Length; } }
        }

        private readonly Upload[] _uploads = new Upload[Capacity];

        public Upload Find(uint id)
        {
            for (int i = 0; i < Capacity; i++) if (_uploads[i] != null && _uploads[i].Id == id) return _uploads[i];
            return null;
        }

        /// <summary>
        /// The unfinished upload of this name, image size and digest (to resume it), or null; another upload under the
        /// name is dropped (it starts over).
        /// </summary>
        public Upload Resumable(Utf8Field name, ulong totalBytes, byte[] sha256)
        {
            for (int i = 0; i < Capacity; i++)
            {
                Upload u = _uploads[i];
                if (u == null || !name.EqualsString(u.Name)) continue;
                if ((ulong)u.Data.Length == totalBytes && SameDigest(u.Sha256, sha256)) return u;
                _uploads[i] = null;
            }
            return null;
        }

        /// <summary>Keeps a new upload; false when <see cref="Capacity"/> are in progress.</summary>
        public bool Add(Upload upload)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_uploads[i] != null) continue;
                _uploads[i] = upload;
                return true;
            }
            return false;
        }

        public void Drop(Upload upload)
        {
            for (int i = 0; i < Capacity; i++) if (_uploads[i] == upload) _uploads[i] = null;
        }

        /// <summary>Drops any unfinished upload of this name (the template is being removed).</summary>
        public void DropNamed(Utf8Field name)
        {
            for (int i = 0; i < Capacity; i++) if (_uploads[i] != null && name.EqualsString(_uploads[i].Name)) _uploads[i] = null;
        }

        public static bool SameDigest(byte[] a, byte[] b)
        {
            int difference = 0;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++) difference |= a[i] ^ b[i];
            return difference == 0;
        }
    }
}
