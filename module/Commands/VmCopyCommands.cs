using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Copy-HvVm: a copy-on-write copy of a paused VM, as a new (paused) VM on the same host.</summary>
    [Cmdlet(VerbsCommon.Copy, "HvVm", DefaultParameterSetName = VmSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class CopyHvVmCommand : VmSubjectCmdlet
    {
        /// <summary>The new VM's name.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        public string Name { get; set; }

        protected override void EndProcessing()
        {
            List<HvVm> approved = new List<HvVm>();
            foreach (HvVm vm in Targets())
            {
                if (ShouldProcess(Describe(vm), "Copy to new VM '" + Name + "'"))
                {
                    approved.Add(vm);
                }
            }
            RunParallel(approved, vm => vm.Server, (vm, sink) =>
            {
                uint id;
                try
                {
                    id = vm.Server.Client.ForkVm(vm.Id, Name);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidState)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.InvalidState", ErrorCategory.InvalidOperation,
                        "Copy-HvVm copies a paused VM; " + Describe(vm) + " is not paused (Suspend-HvVm pauses it). " + e.Message, vm, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.VmExists", ErrorCategory.ResourceExists,
                        "Cannot copy " + Describe(vm) + ": " + vm.Server + " already has a VM named '" + Name + "'.", Name, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.Unsupported)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        "Cannot copy " + Describe(vm) + ": the host does not support copies (" + e.Message + ").", vm, e));
                }
                sink.Output(new HvVm(vm.Server, vm.Server.Client.GetVm(id)));
            }, "Copying VMs", vm => vm.Name);
        }
    }

    /// <summary>Transfer errors in a user's words (the host's own stays in the inner exception).</summary>
    internal static class TransferErrors
    {
        public static Exception Translate(Exception e, string what, object target)
        {
            if (!(e is HvProtocolException p))
            {
                return e;
            }
            switch (p.Code)
            {
                case ErrorCode.Unsupported:
                    return new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        what + ": the host does not support it (" + p.Message + ").", target, p));
                case ErrorCode.ChecksumMismatch:
                    return new HvErrorRecordException(HvErrors.Make("Hv.ChecksumMismatch", ErrorCategory.InvalidData,
                        what + ": the image is damaged (" + p.Message + ").", target, p));
                case ErrorCode.AlreadyExists:
                    return new HvErrorRecordException(HvErrors.Make("Hv.VmExists", ErrorCategory.ResourceExists,
                        what + ": a VM with that name exists on the host (use -Name for another name).", target, p));
                case ErrorCode.InvalidState:
                    return new HvErrorRecordException(HvErrors.Make("Hv.InvalidState", ErrorCategory.InvalidOperation,
                        what + ": " + p.Message, target, p));
                default:
                    return e;
            }
        }
    }

    /// <summary>
    /// Export-HvVm: streams a VM's image (state and memory, produced by the host) into a file, in chunks, with progress.
    /// A running VM is paused for the export and resumed after it.
    /// </summary>
    [Cmdlet(VerbsData.Export, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportHvVmCommand : VmCmdlet
    {
        /// <summary>The file to write; an existing directory gets one file per VM, named after it (.hvvm).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Overwrite an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Return the file written.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private string _target;
        private bool _directory;

        protected override string Action => "Export to '" + Path + "'";
        protected override string Activity => "Exporting VMs";
        protected override bool Ordered => true;

        protected override void BeginProcessing()
        {
            _target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            _directory = Directory.Exists(_target);
        }

        internal static string FileNameFor(string vmName)
        {
            char[] chars = vmName.ToCharArray();
            char[] bad = System.IO.Path.GetInvalidFileNameChars();
            for (int i = 0; i < chars.Length; i++)
            {
                if (Array.IndexOf(bad, chars[i]) >= 0 || chars[i] == '/' || chars[i] == '\\' || chars[i] == ':')
                {
                    chars[i] = '_';
                }
            }
            return new string(chars) + ".hvvm";
        }

        protected override void Work(HvVm vm, Sink sink)
        {
            string file = _directory ? System.IO.Path.Combine(_target, FileNameFor(vm.Name)) : _target;
            if (File.Exists(file) && !Force)
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.FileExists", ErrorCategory.ResourceExists,
                    "Cannot export " + Describe(vm) + ": '" + file + "' exists (-Force overwrites it).", file));
            }
            string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file));
            if (!Directory.Exists(dir))
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound,
                    "Cannot export " + Describe(vm) + ": the directory '" + dir + "' does not exist.", file));
            }
            HvVm now = Fresh(vm);
            bool resume = now.State == VmState.Running;
            string part = file + ".part";
            TransferProgress progress = new TransferProgress(sink.Progress, "Exporting VM '" + vm.Name + "' from " + vm.ComputerName);
            bool done = false;
            bool paused = false;
            try
            {
                if (resume)
                {
                    sink.Verbose("Pausing " + Describe(vm) + " for the export; it runs on afterwards.");
                    vm.Server.Client.PauseVm(vm.Id);
                    paused = true;
                }
                using (FileStream f = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    vm.Server.Client.ExportVm(vm.Id, f, progress.Report, sink.Token);
                }
                if (File.Exists(file))
                {
                    File.Delete(file);
                }
                File.Move(part, file);
                done = true;
            }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                throw TransferErrors.Translate(e, "Cannot export " + Describe(vm), vm);
            }
            finally
            {
                progress.Complete();
                if (!done)
                {
                    try
                    {
                        File.Delete(part);
                    }
                    catch (Exception)
                    {
                    }
                }
                if (paused)
                {
                    try
                    {
                        vm.Server.Client.ResumeVm(vm.Id);
                    }
                    catch (Exception e)
                    {
                        sink.Warning(Describe(vm) + " was paused for the export and could not be resumed: " + e.Message);
                    }
                }
            }
            if (PassThru)
            {
                sink.Output(new FileInfo(file));
            }
        }
    }

    /// <summary>Import-HvVm: uploads exported VM images to hosts; each becomes a new, paused VM.</summary>
    [Cmdlet(VerbsData.Import, "HvVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class ImportHvVmCommand : HvCmdlet
    {
        /// <summary>Image files written by Export-HvVm (wildcards).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("FullName")]
        public string[] Path { get; set; }

        /// <summary>The new VM's name; the exported VM's name when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        public string Name { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<KeyValuePair<HvHost, string>> _work = new List<KeyValuePair<HvHost, string>>();

        protected override void ProcessRecord()
        {
            List<string> files = new List<string>();
            foreach (string p in Path)
            {
                try
                {
                    foreach (string f in SessionState.Path.GetResolvedProviderPathFromPSPath(p, out ProviderInfo _))
                    {
                        if (File.Exists(f))
                        {
                            files.Add(f);
                        }
                        else
                        {
                            WriteError(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound, "'" + f + "' is not a file.", f));
                        }
                    }
                }
                catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException)
                {
                    WriteError(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound, "Cannot find the image '" + p + "'.", p, e));
                }
            }
            if (files.Count == 0)
            {
                return;
            }
            foreach (HvHost h in ResolveServers(Server))
            {
                foreach (string f in files)
                {
                    if (ShouldProcess("VM image " + f + " to " + h + (Name == null ? "" : " as '" + Name + "'"), "Import"))
                    {
                        _work.Add(new KeyValuePair<HvHost, string>(h, f));
                    }
                }
            }
        }

        protected override void EndProcessing()
        {
            RunParallel(_work, p => p.Key, (p, sink) =>
            {
                HvHost h = p.Key;
                TransferProgress progress = new TransferProgress(sink.Progress, "Importing " + System.IO.Path.GetFileName(p.Value) + " to " + h);
                uint id;
                try
                {
                    using (FileStream f = File.OpenRead(p.Value))
                    {
                        id = h.Client.ImportVm(Name, f, (ulong)f.Length, progress.Report, sink.Token);
                    }
                }
                // The image's own faults; a -Name the host's naming rule refuses is the caller's argument, reported as such.
                catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidArgument && !(e.Operation == Opcode.BeginImport && Name != null))
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.InvalidImage", ErrorCategory.InvalidData,
                        "Cannot import '" + p.Value + "' to " + h + ": it is not a VM image this host can read (" + e.Message + ").", p.Value, e));
                }
                catch (Exception e) when (!(e is PipelineStoppedException))
                {
                    throw TransferErrors.Translate(e, "Cannot import '" + p.Value + "' to " + h, p.Value);
                }
                finally
                {
                    progress.Complete();
                }
                sink.Output(new HvVm(h, h.Client.GetVm(id)));
            }, "Importing VMs", p => System.IO.Path.GetFileName(p.Value));
        }
    }

    /// <summary>
    /// Move-HvVm: export → import on another host → remove the source, losing nothing if a step fails: the source is
    /// removed only after the import committed; on failure it is resumed (if it ran) and the error names the step.
    /// </summary>
    [Cmdlet(VerbsCommon.Move, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVm))]
    public sealed class MoveHvVmCommand : VmCmdlet
    {
        /// <summary>The host to move the VMs to.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public HvHost Destination { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Return the VM on the destination.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Move to " + Destination;
        protected override string Activity => "Moving VMs";
        protected override bool ForceConfirm => Force;

        protected override void Work(HvVm vm, Sink sink)
        {
            HvHost dest = Destination;
            if (ReferenceEquals(dest, vm.Server) || (dest.Address != null && dest.Address == vm.Server.Address))
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.SameHost", ErrorCategory.InvalidArgument,
                    Describe(vm) + " is already on " + dest + ".", vm));
            }
            HvClient src = vm.Server.Client;
            string step = "read the VM's state";
            bool wasRunning = false;
            TransferStart export = null;
            uint importId = 0;
            bool importOpen = false;
            uint newId = 0;
            TransferProgress progress = new TransferProgress(sink.Progress, "Moving VM '" + vm.Name + "' from " + vm.ComputerName + " to " + dest);
            try
            {
                HvVm now = Fresh(vm);
                wasRunning = now.State == VmState.Running;
                if (wasRunning)
                {
                    step = "pause the source";
                    src.PauseVm(vm.Id);
                }
                step = "export";
                export = src.BeginExport(vm.Id);
                step = "import";
                HvClient dst = dest.Client;
                importId = dst.BeginImport(vm.Name, export.TotalBytes);
                importOpen = true;
                HvClient.ImportWriter writer = new HvClient.ImportWriter(dst, importId, export.TotalBytes);
                step = "read from the source";
                src.CopyExport(export, (buffer, count) =>
                {
                    step = "write to the destination";
                    writer.Write(buffer, count);
                    step = "read from the source";
                }, progress.Report, sink.Token);
                step = "write to the destination";
                writer.Flush();
                step = "commit the import";
                newId = dst.CommitImport(importId);
                importOpen = false;
            }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                progress.Complete();
                throw Failed(vm, dest, step, e, importOpen ? importId : 0, export, wasRunning);
            }
            catch (PipelineStoppedException)
            {
                Undo(vm, dest, importOpen ? importId : 0, export, wasRunning);
                throw;
            }
            progress.Complete();
            Quietly(() => src.EndExport(export.Id));
            if (wasRunning)
            {
                try
                {
                    dest.Client.ResumeVm(newId);
                }
                catch (Exception e)
                {
                    sink.Warning("VM '" + vm.Name + "' was moved to " + dest + " (id " + newId + ") but could not be resumed there: " + e.Message);
                }
            }
            try
            {
                RemoveForce(vm, sink);
            }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                ErrorRecord inner = e is HvErrorRecordException r ? r.Record : HvErrors.From(e, vm);
                sink.Error(HvErrors.Make("Hv.MoveIncomplete", inner.CategoryInfo.Category,
                    "VM '" + vm.Name + "' was copied to " + dest + " (id " + newId + "), but removing the source " + Describe(vm)
                    + " failed: " + e.Message + " Both copies exist (the source is paused); remove one with Remove-HvVm.", vm, e));
            }
            if (PassThru)
            {
                sink.Output(new HvVm(dest, dest.Client.GetVm(newId)));
            }
        }

        private static void Undo(HvVm vm, HvHost dest, uint importId, TransferStart export, bool wasRunning)
        {
            if (importId != 0)
            {
                Quietly(() => dest.Client.AbortImport(importId));
            }
            if (export != null)
            {
                Quietly(() => vm.Server.Client.EndExport(export.Id));
            }
            if (wasRunning)
            {
                Quietly(() => vm.Server.Client.ResumeVm(vm.Id));
            }
        }

        private static Exception Failed(HvVm vm, HvHost dest, string step, Exception e, uint importId, TransferStart export, bool wasRunning)
        {
            Undo(vm, dest, importId, export, wasRunning);
            string state = "unchanged";
            if (wasRunning)
            {
                try
                {
                    state = Fresh(vm).State == VmState.Running ? "unchanged and running again" : "unchanged but still paused (Resume-HvVm resumes it)";
                }
                catch (Exception)
                {
                    state = "unchanged (its state could not be read back)";
                }
            }
            ErrorRecord inner = e is HvErrorRecordException r ? r.Record : HvErrors.From(e, vm);
            string maybe = step == "commit the import" && e is HvConnectionException
                ? " The answer to the commit was lost: " + dest + " may have made the VM anyway (paused); check with Get-HvVm -Server."
                : "";
            return new HvErrorRecordException(HvErrors.Make("Hv.MoveFailed", inner.CategoryInfo.Category,
                "Moving " + Describe(vm) + " to " + dest + " failed at step '" + step + "': " + e.Message
                + " Nothing was lost: the source VM is " + state + "." + maybe, vm, e));
        }

        private static void Quietly(Action action)
        {
            try
            {
                action();
            }
            catch (Exception)
            {
            }
        }
    }
}
