using Hv.Core.Text;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Cpu
{
    // What the processor offers for virtualisation (Intel SDM Vol. 3 Appendix A; AMD APM Vol. 2 15.4).
    internal sealed unsafe class CpuFeatures
    {
        private const uint MsrVmxBasic = 0x480, MsrVmxPinBased = 0x481, MsrVmxProcBased = 0x482, MsrVmxProcBased2 = 0x48B;

        public string Vendor;
        public bool Vmx, Ept, Vpid, UnrestrictedGuest, PreemptionTimer;
        public bool Svm, Npt;

        public static CpuFeatures Detect()
        {
            var f = new CpuFeatures();
            uint* r = stackalloc uint[4];
            Native.hv_cpuid(0, 0, r);
            char[] vendor = new char[12];
            StoreAscii(vendor, 0, r[1]);
            StoreAscii(vendor, 4, r[3]);
            StoreAscii(vendor, 8, r[2]);
            f.Vendor = new string(vendor, 0, 12);

            Native.hv_cpuid(1, 0, r);
            f.Vmx = (r[2] & (1u << 5)) != 0;
            if (f.Vmx)
            {
                // Allowed-1 settings live in the high half of each capability MSR (SDM A.3).
                uint pin1 = (uint)(Native.hv_rdmsr(MsrVmxPinBased) >> 32);
                uint proc1 = (uint)(Native.hv_rdmsr(MsrVmxProcBased) >> 32);
                f.PreemptionTimer = (pin1 & (1u << 6)) != 0;
                if ((proc1 & (1u << 31)) != 0)
                {
                    uint proc2 = (uint)(Native.hv_rdmsr(MsrVmxProcBased2) >> 32);
                    f.Ept = (proc2 & (1u << 1)) != 0;
                    f.Vpid = (proc2 & (1u << 5)) != 0;
                    f.UnrestrictedGuest = (proc2 & (1u << 7)) != 0;
                }
            }

            Native.hv_cpuid(0x80000000, 0, r);
            uint maxExtended = r[0];
            if (maxExtended >= 0x80000001)
            {
                Native.hv_cpuid(0x80000001, 0, r);
                f.Svm = (r[2] & (1u << 2)) != 0;
            }
            if (f.Svm && maxExtended >= 0x8000000A)
            {
                Native.hv_cpuid(0x8000000A, 0, r);
                f.Npt = (r[3] & 1u) != 0;
            }
            return f;
        }

        private static void StoreAscii(char[] dest, int at, uint value)
        {
            for (int i = 0; i < 4; i++) dest[at + i] = (char)((value >> (8 * i)) & 0xFF);
        }

        public void Report(TextSink log)
        {
            log.Write("cpu: ");
            log.Write(Vendor);
            log.Write(" features:");
            WriteFlags(log);
            log.WriteLine();
        }

        // " +vmx +ept ... -svm -npt": the same text on the log and in the management protocol's host info.
        private void WriteFlags(TextSink sink)
        {
            Flag(sink, "vmx", Vmx);
            Flag(sink, "ept", Ept);
            Flag(sink, "vpid", Vpid);
            Flag(sink, "unrestricted-guest", UnrestrictedGuest);
            Flag(sink, "preemption-timer", PreemptionTimer);
            Flag(sink, "svm", Svm);
            Flag(sink, "npt", Npt);
        }

        public string Names()
        {
            var text = new CharBufferSink(128);
            WriteFlags(text);
            return text.ToString();
        }

        private static void Flag(TextSink log, string name, bool present)
        {
            log.Write(present ? " +" : " -");
            log.Write(name);
        }
    }
}
