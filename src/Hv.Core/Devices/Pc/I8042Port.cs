namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// One of the 8042's two ports (0x60 data, 0x64 status/command), which are not adjacent (port 0x61 sits between),
    /// so each is mapped on the port bus by itself.
    /// </summary>
    public sealed class I8042Port : PortDevice
    {
        private readonly I8042Controller _controller;
        private readonly bool _command;

        public I8042Port(I8042Controller controller, bool command)
        {
            _controller = controller;
            _command = command;
        }

        public override uint In(ushort offset, int size)
        {
            return _command ? _controller.ReadStatus() : _controller.ReadData();
        }

        public override void Out(ushort offset, int size, uint value)
        {
            if (_command)
            {
                _controller.WriteCommand((byte)value);
            }
            else
            {
                _controller.WriteData((byte)value);
            }
        }
    }
}
