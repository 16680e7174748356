namespace Hv.Core.Memory
{
    /// <summary>Outcome of an <see cref="EptBuilder"/> operation; anything but Ok left the tables unchanged.</summary>
    public enum EptStatus
    {
        Ok,
        /// <summary>The page source ran dry while a missing table was needed.</summary>
        OutOfMemory,
        /// <summary>An address is not aligned to the page size of the mapping.</summary>
        Misaligned,
        /// <summary>The guest-physical address is beyond 48 bits or the host address beyond 52 bits.</summary>
        AddressOutOfRange,
        /// <summary>Permissions without Read, or a reserved memory type.</summary>
        InvalidAttributes,
        /// <summary>Something is already mapped where the new mapping would go.</summary>
        AlreadyMapped,
        NotMapped,
    }
}
