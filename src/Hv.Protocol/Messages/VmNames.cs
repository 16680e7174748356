using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>Names of the VMs CreateVms makes: base name, '-', the number in decimal ("web-1", "web-2", ...).</summary>
    public static class VmNames
    {
        /// <summary>Bytes "-" + the decimal digits of <paramref name="number"/> add to a base name.</summary>
        public static int SuffixBytes(uint number)
        {
            int digits = 1;
            while (number >= 10)
            {
                number /= 10;
                digits++;
            }
            return 1 + digits;
        }

        /// <summary>Writes baseName + "-" + number into <paramref name="into"/>; false if it would not fit.</summary>
        public static bool Numbered(Utf8Field baseName, uint number, Utf8Field into)
        {
            int suffix = SuffixBytes(number);
            int length = baseName.Length + suffix;
            if (length > into.Capacity || length > ProtocolInfo.MaxNameBytes)
            {
                into.Clear();
                return false;
            }
            if (!into.Set(baseName.Bytes, 0, baseName.Length))
            {
                return false;
            }
            // Set copied the base; the suffix goes after it, digits from the right.
            byte[] bytes = into.Bytes;
            int pos = length;
            uint n = number;
            do
            {
                bytes[--pos] = (byte)('0' + (int)(n % 10));
                n /= 10;
            }
            while (n != 0);
            bytes[--pos] = (byte)'-';
            return into.SetLength(length);
        }
    }
}
