using Hv.Core.Vmx.Arch;
using Hv.Kernel.Platform;
using Hv.Crypto;

namespace Hv.Kernel.Host
{
    // Nonces and generated keys: RDRAND where the CPU has it; otherwise SHA-256 over a counter and TSC readings,
    // whose low bits jitter with I/O timing. (The fallback is weaker; the log says which one is used.)
    internal sealed unsafe class HardwareEntropy : EntropySource
    {
        private readonly bool _rdrand;
        private readonly Sha256 _hash = new Sha256();
        private readonly byte[] _block = new byte[32];
        private ulong _counter;

        public HardwareEntropy()
        {
            uint* r = stackalloc uint[4];
            Native.hv_cpuid(1, 0, r);
            _rdrand = (r[2] & CpuidBits.Leaf1EcxRdrand) != 0;
        }

        public bool HasRdrand => _rdrand;

        public override void Fill(byte[] buffer, int offset, int count)
        {
            int i = 0;
            while (i < count)
            {
                ulong value;
                if (!(_rdrand && Native.hv_rdrand(&value) == 1)) value = Mix();
                for (int b = 0; b < 8 && i < count; b++, i++) buffer[offset + i] = (byte)(value >> (8 * b));
            }
        }

        private ulong Mix()
        {
            for (int b = 0; b < 8; b++) _block[b] = (byte)(_counter >> (8 * b));
            _counter++;
            ulong tsc = Native.hv_rdtsc() ^ ((ulong)Native.hv_inb(0x61) << 56);
            for (int b = 0; b < 8; b++) _block[8 + b] = (byte)(tsc >> (8 * b));
            _hash.Reset();
            _hash.Update(_block, 0, _block.Length);
            _hash.Finish(_block, 0);
            ulong v = 0;
            for (int b = 0; b < 8; b++) v |= (ulong)_block[b] << (8 * b);
            return v;
        }
    }
}
