using Hv.Core.Vm;

namespace Hv.Core.Devices
{
    /// <summary>
    /// Port 0xF4, modelled on QEMU's isa-debug-exit: any write stops the VM, and the value written is its
    /// exit code. Unlike QEMU (which exits with value*2+1) the value is passed through unchanged, so a test
    /// guest's "exit 0" reads as 0. Reads return all ones, as from an empty port.
    /// </summary>
    public sealed class DebugExitPort : PortDevice
    {
        public const ushort DefaultPort = 0xF4;

        private readonly VirtualMachine _vm;

        public DebugExitPort(VirtualMachine vm)
        {
            _vm = vm;
        }

        public override uint In(ushort offset, int size)
        {
            return 0xFFFFFFFFu;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            _vm.StopWithExitCode(StopCause.DebugExit, value);
        }
    }
}
