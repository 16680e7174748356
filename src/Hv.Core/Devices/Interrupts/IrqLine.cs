namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// A device's interrupt output wire. The device calls <see cref="Set"/> whenever its output may have changed; the
    /// receiver (the platform's ISA routing, a test probe) sees levels, and an edge-triggered input turns a low→high
    /// change into one request. "Asserted" is the logical request, whatever the wire's electrical polarity.
    /// </summary>
    public abstract class IrqLine
    {
        public abstract void Set(bool asserted);
    }
}
