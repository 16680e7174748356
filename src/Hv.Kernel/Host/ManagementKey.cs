using Hv.Core.Boot;
using Hv.Core.Text;
using Hv.Crypto;

namespace Hv.Kernel.Host
{
    // The host key that both management channels (COM1 and TCP) check. It comes from hv.key=<64 hex digits>; without
    // one a fresh key is generated and printed once, like a pairing code. A malformed hv.key is refused loudly (null:
    // management stays closed) rather than silently replaced.
    internal static class ManagementKey
    {
        public static byte[] Load(CommandLine options, HardwareEntropy entropy, TextSink log)
        {
            byte[] key = new byte[HostKey.Bytes];
            string given = options.Get("hv.key");
            if (given != null)
            {
                if (!HostKey.TryParse(given, key))
                {
                    log.WriteLine("mgmt: hv.key is not 64 hex digits; the management channel stays closed");
                    return null;
                }
                char[] fingerprint = new char[HostKey.FingerprintChars];
                HostKey.FormatFingerprint(key, fingerprint, 0);
                log.Write("mgmt: key from the command line, fingerprint ");
                log.WriteLine(new string(fingerprint, 0, fingerprint.Length));
            }
            else
            {
                entropy.Fill(key, 0, key.Length);
                char[] code = new char[HostKey.FormattedChars];
                HostKey.Format(key, code, 0);
                log.Write("mgmt: pairing key ");
                log.WriteLine(new string(code, 0, code.Length));
            }
            log.WriteLine(entropy.HasRdrand ? "mgmt: nonces from RDRAND" : "mgmt: no RDRAND; nonces from TSC jitter through SHA-256");
            return key;
        }
    }
}
