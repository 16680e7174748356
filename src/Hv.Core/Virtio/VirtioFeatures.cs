namespace Hv.Core.Virtio
{
    /// <summary>Device-independent feature bits (virtio 1.2, 6 "Reserved Feature Bits") and device status bits (2.1).</summary>
    public static class VirtioFeatures
    {
        public const int IndirectDescriptors = 28;
        public const int EventIndex = 29;
        public const int Version1 = 32;

        public const byte StatusAcknowledge = 1;
        public const byte StatusDriver = 2;
        public const byte StatusDriverOk = 4;
        public const byte StatusFeaturesOk = 8;
        public const byte StatusNeedsReset = 64;
        public const byte StatusFailed = 128;

        public static ulong Bit(int feature)
        {
            return 1UL << feature;
        }
    }
}
