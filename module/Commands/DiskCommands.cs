using System.Management.Automation;
using Hv.Protocol.Messages;

namespace Hv.PowerShell.Commands
{
    /// <summary>
    /// Get-HvVmHardDiskDrive: the disk drive of each VM (size, host memory it holds, I/O counters). A VM without a disk
    /// (its template has none) outputs nothing.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "HvVmHardDiskDrive", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVmHardDiskDrive))]
    public sealed class GetHvVmHardDiskDriveCommand : VmCmdlet
    {
        protected override string Activity => "Reading disk drives";
        protected override bool Ordered => true;

        protected override void Work(HvVm vm, Sink sink)
        {
            GetHardDiskDriveMessage drive = vm.Server.Client.GetHardDiskDrive(vm.Id);
            if (drive.Present) sink.Output(new HvVmHardDiskDrive(vm, drive));
        }
    }
}
