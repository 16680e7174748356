using System.Collections.Generic;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Tests.Pci
{
    /// <summary>Records every interrupt message and INTx change a function raises.</summary>
    internal sealed class RecordingSink : PciInterruptSink
    {
        public readonly List<(ulong Address, uint Data)> Messages = new List<(ulong, uint)>();
        public readonly List<bool> IntxChanges = new List<bool>();
        public bool Intx;

        public override void Message(ulong address, uint data) => Messages.Add((address, data));

        public override void SetIntx(bool asserted)
        {
            Intx = asserted;
            IntxChanges.Add(asserted);
        }
    }

    /// <summary>
    /// A function with one BAR of each kind: BAR0 I/O (32 bytes), BAR1 32-bit prefetchable memory (4 KiB, MSI-X
    /// table at 0 and pending bits at 0x800), BAR2/3 64-bit memory (1 MiB). Its own registers echo the last write.
    /// </summary>
    internal sealed class TestFunction : PciFunction
    {
        public const int Vectors = 3;
        public int LastBar = -1;
        public ulong LastOffset;
        public int LastSize;
        public ulong LastValue;

        public TestFunction(ushort vendor = 0x1234, ushort device = 0x5678)
            : base(vendor, device, 0x07, 0x0C0330, 0xAAAA, 0xBBBB, 1)
        {
            Assert.Equal(PciStatus.Ok, DeclareBar(0, PciBarKind.Io, 32, false));
            Assert.Equal(PciStatus.Ok, DeclareBar(1, PciBarKind.Memory32, 4096, true));
            Assert.Equal(PciStatus.Ok, DeclareBar(2, PciBarKind.Memory64, 1 << 20, false));
            Assert.Equal(PciStatus.Ok, AddMsix(Vectors, 1, 0, 0x800));
        }

        public PciStatus Declare(int bar, PciBarKind kind, ulong size) => DeclareBar(bar, kind, size, false);
        public PciStatus AddTestMsix(int vectors, int bar, uint table, uint pba) => AddMsix(vectors, bar, table, pba);
        public int Capability(byte id, int length) => Config.AddCapability(id, length);
        public bool Signal(int vector) => SignalMsix(vector);
        public void Request(bool level) => SetIntxRequest(level);

        protected override ulong OnBarRead(int bar, ulong offset, int size)
        {
            LastBar = bar;
            LastOffset = offset;
            LastSize = size;
            return 0x1122334455667788UL;
        }

        protected override void OnBarWrite(int bar, ulong offset, int size, ulong value)
        {
            LastBar = bar;
            LastOffset = offset;
            LastSize = size;
            LastValue = value;
        }
    }
}
