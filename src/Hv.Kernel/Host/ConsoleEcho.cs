using System;
using Hv.Core.Text;
using Hv.Core.Vm;

namespace Hv.Kernel.Host
{
    // Copies what guests print into the hypervisor log, one "[name] text" line at a time, so a test can read every
    // VM's console from the log alone. Where each VM's echo stands is kept on the VM itself.
    internal sealed class ConsoleEcho
    {
        private readonly byte[] _buffer = new byte[256];

        public void Drain(VirtualMachine vm, TextSink log)
        {
            for (;;)
            {
                ulong start;
                int n = vm.Console.ReadOutput(vm.LogEchoOffset, new Span<byte>(_buffer), out start);
                if (n == 0) return;
                vm.LogEchoOffset = start + (ulong)n;
                for (int b = 0; b < n; b++)
                {
                    byte c = _buffer[b];
                    if (c == '\r') continue;
                    if (!vm.LogEchoMidLine)
                    {
                        log.Write("[");
                        log.Write(vm.Name);
                        log.Write("] ");
                        vm.LogEchoMidLine = true;
                    }
                    if (c == '\n') { log.WriteLine(); vm.LogEchoMidLine = false; }
                    else log.Write(c >= 32 && c < 127 ? (char)c : '.');
                }
            }
        }

        // Ends a VM's last unterminated line.
        public void Finish(VirtualMachine vm, TextSink log)
        {
            if (vm.LogEchoMidLine) log.WriteLine();
            vm.LogEchoMidLine = false;
        }
    }
}
