using System;
using System.Collections.Generic;
using System.Text;

namespace Hv.Core.Tests
{
    /// <summary>Builds Multiboot2 boot information byte images for tests (spec 3.6).</summary>
    internal sealed class Multiboot2Builder
    {
        private readonly List<byte> _tags = new List<byte>();

        public Multiboot2Builder Tag(uint type, byte[] payload)
        {
            Add32(type);
            Add32((uint)(8 + payload.Length));
            _tags.AddRange(payload);
            while (_tags.Count % 8 != 0) _tags.Add(0);
            return this;
        }

        /// <summary>A tag whose header claims <paramref name="claimedSize"/> regardless of payload.</summary>
        public Multiboot2Builder RawTag(uint type, uint claimedSize, byte[] payload)
        {
            Add32(type);
            Add32(claimedSize);
            _tags.AddRange(payload);
            while (_tags.Count % 8 != 0) _tags.Add(0);
            return this;
        }

        public Multiboot2Builder CommandLine(string text) => Tag(1, Encoding.ASCII.GetBytes(text + "\0"));

        public Multiboot2Builder Module(uint start, uint end, string name)
        {
            var p = new List<byte>();
            p.AddRange(BitConverter.GetBytes(start));
            p.AddRange(BitConverter.GetBytes(end));
            p.AddRange(Encoding.ASCII.GetBytes(name + "\0"));
            return Tag(3, p.ToArray());
        }

        public Multiboot2Builder BasicMemory(uint lowerKiB, uint upperKiB)
        {
            var p = new List<byte>();
            p.AddRange(BitConverter.GetBytes(lowerKiB));
            p.AddRange(BitConverter.GetBytes(upperKiB));
            return Tag(4, p.ToArray());
        }

        public Multiboot2Builder MemoryMap(params (ulong Base, ulong Length, uint Type)[] entries) => MemoryMap(24, entries);

        public Multiboot2Builder MemoryMap(uint entrySize, params (ulong Base, ulong Length, uint Type)[] entries)
        {
            var p = new List<byte>();
            p.AddRange(BitConverter.GetBytes(entrySize));
            p.AddRange(BitConverter.GetBytes(0u));
            foreach (var e in entries)
            {
                var entry = new byte[Math.Max(entrySize, 24)];
                BitConverter.GetBytes(e.Base).CopyTo(entry, 0);
                BitConverter.GetBytes(e.Length).CopyTo(entry, 8);
                BitConverter.GetBytes(e.Type).CopyTo(entry, 16);
                p.AddRange(new ArraySegment<byte>(entry, 0, (int)entrySize));
            }
            return Tag(6, p.ToArray());
        }

        public Multiboot2Builder End() => Tag(0, Array.Empty<byte>());

        public byte[] Build()
        {
            var all = new List<byte>();
            all.AddRange(BitConverter.GetBytes((uint)(8 + _tags.Count)));
            all.AddRange(BitConverter.GetBytes(0u));
            all.AddRange(_tags);
            return all.ToArray();
        }

        private void Add32(uint v) => _tags.AddRange(BitConverter.GetBytes(v));
    }
}
