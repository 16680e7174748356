using Hv.Core.Text;

namespace Hv.Kernel.Drivers
{
    // The hypervisor log goes to COM2, so that COM1 stays free for the management channel.
    internal sealed class KernelLog : TextSink
    {
        private readonly SerialPort _port;

        public KernelLog(SerialPort port) { _port = port; }

        public override void Write(char c)
        {
            if (c == '\n') _port.Write((byte)'\r');
            _port.Write(c < 128 ? (byte)c : (byte)'?');
        }
    }
}
