using System;
using Hv.Crypto;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// Template uploads in progress (New-HvTemplate). Few at a time: each holds its whole image, a run of pages
    /// (<see cref="Owned.TryNewBytes"/>), until it is committed, dropped, or abandoned: an upload that no request has
    /// touched for <see cref="TransferDeadline.IdleMilliseconds"/> of host time is freed. The image is hashed as its
    /// chunks arrive (they come in order), so the commit only finishes the SHA-256 instead of reading the whole image.
    /// </summary>
    internal sealed class TemplateUploads
    {
        public const int Capacity = 4;

        /// <summary>
        /// The largest template image an upload may announce: 64 MiB, room for a Linux-sized kernel with its modules,
        /// while <see cref="Capacity"/> unfinished uploads can hold at most 256 MiB (each is also refused when the host
        /// cannot spare its pages at the time, <see cref="Owned.TryNewBytes"/>).
        /// </summary>
        public const ulong MaxImageBytes = 64UL << 20;

        internal sealed class Upload
        {
            public uint Id;
            public string Name, CommandLine;
            public GuestEntryMode Mode;
            /// <summary>A raw disk image for the host's disk store (New-HvDisk -Path), not a template.</summary>
            public bool IsDisk;
            public ulong MemoryBytes;
            public readonly byte[] Sha256 = new byte[ProtocolInfo.Sha256Bytes];
            public byte[] Data;
            public ulong Received;
            public ulong LastUsedMs;
            /// <summary>SHA-256 of Data[0 .. Received), carried along as chunks are stored.</summary>
            public readonly Sha256 Hash = new Sha256();

            public bool Complete { get { return Received == (ulong)Data.Length; } }

            /// <summary>Stores a chunk at the next offset and hashes it; false (nothing stored) if it overruns the image.</summary>
            public bool Append(byte[] data, int offset, int count)
            {
                if (count < 0 || Received + (ulong)count > (ulong)Data.Length) return false;
                new ReadOnlySpan<byte>(data, offset, count).CopyTo(new Span<byte>(Data, (int)Received, count));
                Hash.Update(Data, (int)Received, count);
                Received += (ulong)count;
                return true;
            }

            /// <summary>Gives back the upload; <paramref name="withContents"/> false when a template took name, image and command line.</summary>
            public void Free(bool withContents)
            {
                if (withContents)
                {
                    Owned.Free(Name);
                    Owned.Free(CommandLine);
                    Owned.Free(Data);
                }
                Owned.Free(Sha256);
                Hash.Free();
                Owned.Free(this);
            }
        }

        private readonly Upload[] _uploads = new Upload[Capacity];

        /// <summary>The upload with this id (now marked as in use at <paramref name="nowMs"/>), or null.</summary>
        public Upload Find(uint id, ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                Upload u = _uploads[i];
                if (u == null || u.Id != id) continue;
                u.LastUsedMs = nowMs;
                return u;
            }
            return null;
        }

        /// <summary>
        /// The unfinished upload of this name, image size and digest (to resume it), or null; another upload under the
        /// name is dropped and freed (it starts over).
        /// </summary>
        public Upload Resumable(Utf8Field name, ulong totalBytes, byte[] sha256, bool isDisk, ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                Upload u = _uploads[i];
                if (u == null || !name.EqualsString(u.Name)) continue;
                if ((ulong)u.Data.Length == totalBytes && SameDigest(u.Sha256, sha256) && u.IsDisk == isDisk)
                {
                    u.LastUsedMs = nowMs;
                    return u;
                }
                FreeAt(i);
            }
            return null;
        }

        public bool IsFull
        {
            get
            {
                for (int i = 0; i < Capacity; i++) if (_uploads[i] == null) return false;
                return true;
            }
        }

        /// <summary>Keeps a new upload (it is the collection's to free from now on); check <see cref="IsFull"/> first.</summary>
        public void Add(Upload upload)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_uploads[i] != null) continue;
                _uploads[i] = upload;
                return;
            }
        }

        /// <summary>Forgets an upload without freeing it: its owner is now the caller (CommitTemplateUpload).</summary>
        public void Take(Upload upload)
        {
            for (int i = 0; i < Capacity; i++) if (_uploads[i] == upload) _uploads[i] = null;
        }

        /// <summary>Drops and frees any unfinished upload of this name (the template is being removed).</summary>
        public void DropNamed(Utf8Field name)
        {
            for (int i = 0; i < Capacity; i++) if (_uploads[i] != null && name.EqualsString(_uploads[i].Name)) FreeAt(i);
        }

        /// <summary>Frees the uploads abandoned by their clients (untouched past the deadline).</summary>
        public void ReclaimIdle(ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
                if (_uploads[i] != null && TransferDeadline.Passed(_uploads[i].LastUsedMs, nowMs)) FreeAt(i);
        }

        public static bool SameDigest(byte[] a, byte[] b)
        {
            int difference = 0;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++) difference |= a[i] ^ b[i];
            return difference == 0;
        }

        private void FreeAt(int i)
        {
            _uploads[i].Free(withContents: true);
            _uploads[i] = null;
        }
    }
}
