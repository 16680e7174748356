using System;
using Hv.Core.Text;
using Hv.Core.Vm;

namespace Hv.Kernel.Host
{
    // Copies what guests print into the hypervisor log, one "[name] text" line at a time, so a test can read every
    // VM's console from the log alone. How far each VM's echo stands is kept here, by the VM's table slot (O(1), and a
    // slot that a new VM took over starts again from that VM's first byte).
    internal sealed class ConsoleEcho
    {
        private readonly byte[] _buffer = new byte[256];
        private readonly uint[] _owner;
        private readonly ulong[] _offset;
        private readonly bool[] _midLine;

        public ConsoleEcho(int slots)
        {
            _owner = new uint[slots];
            _offset = new ulong[slots];
            _midLine = new bool[slots];
        }

        public void Drain(VirtualMachine vm, TextSink log)
        {
            int slot = vm.Slot;
            if (_owner[slot] != vm.Id)
            {
                _owner[slot] = vm.Id;
                _offset[slot] = 0;
                _midLine[slot] = false;
            }
            for (;;)
            {
                ulong start;
                int n = vm.Console.ReadOutput(_offset[slot], new Span<byte>(_buffer), out start);
                if (n == 0) return;
                _offset[slot] = start + (ulong)n;
                for (int b = 0; b < n; b++)
                {
                    byte c = _buffer[b];
                    if (c == '\r') continue;
                    if (!_midLine[slot])
                    {
                        log.Write("[");
                        log.Write(vm.Name);
                        log.Write("] ");
                        _midLine[slot] = true;
                    }
                    if (c == '\n') { log.WriteLine(); _midLine[slot] = false; }
                    else log.Write(c >= 32 && c < 127 ? (char)c : '.');
                }
            }
        }

        // Ends a VM's last unterminated line.
        public void Finish(VirtualMachine vm, TextSink log)
        {
            int slot = vm.Slot;
            if (_owner[slot] == vm.Id && _midLine[slot]) log.WriteLine();
            _midLine[slot] = false;
        }
    }
}
