namespace Hv.Crypto
{
    /// <summary>
    /// Unpredictable bytes: server nonces, generated host keys, each VM's seed and MAC address. The kernel mixes RDRAND
    /// with the TSC; .NET hosts use the system's generator.
    /// </summary>
    public abstract class EntropySource
    {
        public abstract void Fill(byte[] buffer, int offset, int count);
    }
}
