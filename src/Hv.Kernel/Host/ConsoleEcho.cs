using System;
using Hv.Core.Text;
using Hv.Core.Vm;

namespace Hv.Kernel.Host
{
    // Copies what guests print into the hypervisor log, one "[name] text" line at a time, so a test can read every
    // VM's console from the log alone.
    internal sealed class ConsoleEcho
    {
        private readonly uint[] _ids;
        private readonly ulong[] _offsets;
        private readonly bool[] _midLine;
        private readonly byte[] _buffer = new byte[256];

        public ConsoleEcho(int capacity)
        {
            _ids = new uint[capacity];
            _offsets = new ulong[capacity];
            _midLine = new bool[capacity];
        }

        public void Drain(VirtualMachine vm, TextSink log)
        {
            int i = IndexFor(vm.Id);
            for (;;)
            {
                ulong start;
                int n = vm.Console.ReadOutput(_offsets[i], new Span<byte>(_buffer), out start);
                if (n == 0) return;
                _offsets[i] = start + (ulong)n;
                for (int b = 0; b < n; b++)
                {
                    byte c = _buffer[b];
                    if (c == '\r') continue;
                    if (!_midLine[i])
                    {
                        log.Write("[");
                        log.Write(vm.Name);
                        log.Write("] ");
                        _midLine[i] = true;
                    }
                    if (c == '\n') { log.WriteLine(); _midLine[i] = false; }
                    else log.Write(c >= 32 && c < 127 ? (char)c : '.');
                }
            }
        }

        // Ends a VM's last unterminated line.
        public void Finish(VirtualMachine vm, TextSink log)
        {
            int i = IndexFor(vm.Id);
            if (_midLine[i]) log.WriteLine();
            _midLine[i] = false;
        }

        private int IndexFor(uint id)
        {
            int free = -1;
            for (int i = 0; i < _ids.Length; i++)
            {
                if (_ids[i] == id) return i;
                if (free < 0 && _ids[i] == 0) free = i;
            }
            if (free < 0) free = (int)(id % (uint)_ids.Length);
            _ids[free] = id;
            _offsets[free] = 0;
            _midLine[free] = false;
            return free;
        }
    }
}
