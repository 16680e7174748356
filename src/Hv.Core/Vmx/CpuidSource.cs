using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>The host's own CPUID answers (the kernel executes CPUID; tests supply a table).</summary>
    public abstract class CpuidSource
    {
        public abstract CpuidResult Query(uint leaf, uint subleaf);
    }
}
