namespace Hv.Core.Devices
{
    /// <summary>
    /// A device on the guest's I/O port space. <c>offset</c> is the port minus the first port the device
    /// was mapped at, so one model serves any base (COM1 at 0x3F8, COM2 at 0x2F8). <c>size</c> is the
    /// access width in bytes: 1, 2 or 4.
    /// </summary>
    public abstract class PortDevice
    {
        public abstract uint In(ushort offset, int size);
        public abstract void Out(ushort offset, int size, uint value);
    }
}
