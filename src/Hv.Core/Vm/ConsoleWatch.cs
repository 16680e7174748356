using System;
using Hv.Core.Devices;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Watches a VM's console output for a fixed text (e.g. a shell prompt), scanning each byte once: the watch keeps
    /// how far it has read and how much of the text the newest bytes already match.
    /// </summary>
    public sealed class ConsoleWatch
    {
        private readonly byte[] _text;
        private readonly byte[] _chunk = new byte[256];
        private ulong _read;
        private int _matched;

        /// <summary>Watches for <paramref name="text"/> (ASCII; other characters match '?'), from the output's beginning.</summary>
        public ConsoleWatch(string text)
        {
            _text = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) _text[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
        }

        /// <summary>Gives back the watch.</summary>
        public void Free()
        {
            Owned.Free(_text);
            Owned.Free(_chunk);
            Owned.Free(this);
        }

        /// <summary>True once the text has appeared in <paramref name="console"/>'s output since the watch began.</summary>
        public bool Seen(ConsoleRing console)
        {
            if (_text.Length == 0) return true;
            for (;;)
            {
                int count = console.ReadOutput(_read, _chunk, out ulong start);
                if (start != _read) _matched = 0; // bytes were overwritten before we read them
                if (count == 0) return false;
                _read = start + (ulong)count;
                for (int i = 0; i < count; i++)
                {
                    if (Step(_chunk[i])) return true;
                }
            }
        }

        // Naive restart on a mismatch, retrying the byte as a new start: enough for prompts (no repeated prefix).
        private bool Step(byte b)
        {
            if (_text[_matched] != b) _matched = _text[0] == b ? 1 : 0;
            else _matched++;
            if (_matched < _text.Length) return false;
            _matched = 0;
            return true;
        }
    }
}
