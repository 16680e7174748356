using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Hv.Protocol.Messages;

namespace Hv.PowerShell.Commands
{
    /// <summary>
    /// Get-HvVmHardDiskDrive: the disk drive of each VM (size, host memory it holds, I/O counters). A VM without a disk
    /// drive (its template has none) outputs nothing.
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

    /// <summary>
    /// Add-HvVmHardDiskDrive: puts a host disk image (New-HvDisk) into the drive of each VM that is off, as a
    /// copy-on-write fork; what the drive held before is released. The drive itself is the template's (see the help).
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "HvVmHardDiskDrive", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVmHardDiskDrive))]
    public sealed class AddHvVmHardDiskDriveCommand : VmCmdlet
    {
        /// <summary>The host disk image to put in the drive.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        [ArgumentCompleter(typeof(DiskNameCompleter))]
        public string DiskName { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Put host disk '" + DiskName + "' in the drive (replacing what it holds)";
        protected override string Activity => "Adding disks";
        protected override bool ForceConfirm => Force;

        protected override void Work(HvVm vm, Sink sink)
        {
            vm.Server.Client.AddHardDiskDrive(vm.Id, DiskName);
            if (PassThru) sink.Output(new HvVmHardDiskDrive(vm, vm.Server.Client.GetHardDiskDrive(vm.Id)));
        }
    }

    /// <summary>Remove-HvVmHardDiskDrive: empties the drive of each VM that is off; what it held is released.</summary>
    [Cmdlet(VerbsCommon.Remove, "HvVmHardDiskDrive", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVmHardDiskDrive))]
    public sealed class RemoveHvVmHardDiskDriveCommand : VmCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Remove the disk from the drive (its contents are lost)";
        protected override string Activity => "Removing disks";
        protected override bool ForceConfirm => Force;

        protected override void Work(HvVm vm, Sink sink)
        {
            vm.Server.Client.RemoveHardDiskDrive(vm.Id);
            if (PassThru) sink.Output(new HvVmHardDiskDrive(vm, vm.Server.Client.GetHardDiskDrive(vm.Id)));
        }
    }

    /// <summary>
    /// New-HvDisk: a raw disk image in each host's store: blank of a given size (O(1): it costs no page until written), or
    /// uploaded from a raw image file the way New-HvTemplate uploads (checksummed, resumable, the same transfer).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "HvDisk", DefaultParameterSetName = SizeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvDisk))]
    public sealed class NewHvDiskCommand : HvCmdlet
    {
        /// <summary>The disk's name on the host.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        public string Name { get; set; }

        private const string SizeSet = "Size";
        private const string PathSet = "Path";

        /// <summary>Its size: whole 512-byte sectors, at most 1 GiB.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = SizeSet)]
        [ValidateRange(512UL, 1UL << 30)]
        public ulong SizeBytes { get; set; }

        /// <summary>A raw image file to upload (whole 512-byte sectors, at most 64 MiB).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("FullName")]
        public string Path { get; set; }

        private string _file;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<HvHost> _hosts = new List<HvHost>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                _file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                if (!File.Exists(_file))
                {
                    ThrowTerminatingError(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound, "Cannot find the image file '" + Path + "'.", Path));
                }
                SizeBytes = (ulong)new FileInfo(_file).Length;
            }
            if (SizeBytes == 0 || SizeBytes % 512 != 0)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.InvalidDiskSize", ErrorCategory.InvalidArgument,
                    "A disk is whole 512-byte sectors: " + SizeBytes + " bytes is not.", SizeBytes));
            }
            foreach (HvHost h in ResolveServers(Server))
            {
                string what = "disk '" + Name + "' of " + SizeBytes + " bytes" + (_file != null ? " from " + _file : "") + " on " + h;
                if (ShouldProcess(what, _file != null ? "Upload" : "Create")) _hosts.Add(h);
            }
        }

        protected override void EndProcessing()
        {
            byte[] digest = null;
            if (_file != null && _hosts.Count > 0)
            {
                using (FileStream f = File.OpenRead(_file)) digest = Hv.Protocol.Client.HvClient.ComputeSha256(f);
            }
            RunParallel(_hosts, h => h, (h, sink) =>
            {
                if (_file == null)
                {
                    h.Client.CreateDisk(Name, SizeBytes);
                }
                else
                {
                    TransferProgress progress = new TransferProgress(sink.Progress, "Uploading disk '" + Name + "' to " + h);
                    try
                    {
                        using (FileStream f = File.OpenRead(_file))
                        {
                            var result = h.Client.UploadDisk(Name, f, digest, progress.Report, sink.Token);
                            if (result.ResumedFrom > 0) sink.Verbose("Resumed the upload of '" + Name + "' to " + h + " at byte " + result.ResumedFrom + ".");
                        }
                    }
                    finally
                    {
                        progress.Complete();
                    }
                }
                HvDisk made = GetHvDiskCommand.Fresh(h, Name);
                if (made != null) sink.Output(made);
            }, _file != null ? "Uploading disks" : "Creating disks", h => h.ToString());
        }
    }
}
