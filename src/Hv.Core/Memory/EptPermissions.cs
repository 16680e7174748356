namespace Hv.Core.Memory
{
    /// <summary>
    /// Access a guest has to a guest-physical page: EPT entry bits 2:0 (SDM Vol. 3C §28.3.2). Write without
    /// read is an EPT misconfiguration (28.3.3.1) and execute-only needs a CPU capability, so the builder
    /// accepts only the combinations that include Read.
    /// </summary>
    public enum EptPermissions
    {
        None = 0,
        Read = 1,
        Write = 2,
        Execute = 4,
        ReadWrite = Read | Write,
        ReadExecute = Read | Execute,
        ReadWriteExecute = Read | Write | Execute,
    }
}
