using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Get-HvTemplate: the templates of one or more hosts.</summary>
    [Cmdlet(VerbsCommon.Get, "HvTemplate")]
    [OutputType(typeof(HvTemplate))]
    public sealed class GetHvTemplateCommand : HostCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        protected override HvHost[] InputServers => Server;

        protected override void EndProcessing()
        {
            NameFilter names = new NameFilter(Name);
            ForEachHost((h, sink) =>
            {
                foreach (TemplateInfo t in h.Client.ListTemplates())
                {
                    if (names.Matches(t.Name))
                    {
                        sink.Output(new HvTemplate(h, t));
                    }
                }
            }, "Listing templates");
            if (EveryHostFailed)
            {
                return;
            }
            foreach (string name in names.Missing())
            {
                WriteError(TemplateNotFound(name));
            }
        }

        internal static ErrorRecord TemplateNotFound(string name)
        {
            return HvErrors.Make("Hv.TemplateNotFound", ErrorCategory.ObjectNotFound, "No template named '" + name + "' was found.", name);
        }
    }

    /// <summary>
    /// New-HvTemplate: uploads a guest image as a template, in 4-KiB chunks, checked with SHA-256 by the host, resumable:
    /// run the same command again after an interruption and it continues where the host got to.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "HvTemplate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvTemplate))]
    public sealed class NewHvTemplateCommand : HvCmdlet
    {
        /// <summary>The template's name on the host.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        public string Name { get; set; }

        /// <summary>The image file.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("FullName")]
        public string Path { get; set; }

        /// <summary>How the image boots.</summary>
        [Parameter(Mandatory = true)]
        public GuestEntryMode EntryMode { get; set; }

        /// <summary>Default guest memory of VMs made from the template (MiB).</summary>
        [Parameter(Mandatory = true)]
        [ValidateRange(1, 1048576)]
        public uint MemoryMB { get; set; }

        /// <summary>Kernel command line (Multiboot and Linux guests).</summary>
        [Parameter]
        [ValidateNotNull]
        public string CommandLine { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<KeyValuePair<HvHost, string>> _work = new List<KeyValuePair<HvHost, string>>();

        protected override void ProcessRecord()
        {
            string file;
            try
            {
                file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            }
            catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException)
            {
                WriteError(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound, "Cannot find the image '" + Path + "': " + e.Message, Path, e));
                return;
            }
            if (!File.Exists(file))
            {
                WriteError(HvErrors.Make("Hv.PathNotFound", ErrorCategory.ObjectNotFound,
                    "Cannot find the image file '" + Path + "'" + (Directory.Exists(file) ? " (it is a directory)." : "."), Path));
                return;
            }
            if (new FileInfo(file).Length == 0)
            {
                WriteError(HvErrors.Make("Hv.EmptyImage", ErrorCategory.InvalidArgument, "The image file '" + Path + "' is empty.", Path));
                return;
            }
            foreach (HvHost h in ResolveServers(Server))
            {
                if (ShouldProcess("template '" + Name + "' from " + file + " (" + new FileInfo(file).Length + " bytes) on " + h, "Upload"))
                {
                    _work.Add(new KeyValuePair<HvHost, string>(h, file));
                }
            }
        }

        protected override void EndProcessing()
        {
            // One digest per file, computed once for all hosts.
            Dictionary<string, byte[]> digests = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (KeyValuePair<HvHost, string> p in _work)
            {
                if (!digests.ContainsKey(p.Value))
                {
                    try
                    {
                        using (FileStream f = File.OpenRead(p.Value))
                        {
                            digests[p.Value] = HvClient.ComputeSha256(f);
                        }
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        WriteError(HvErrors.Make("Hv.FileReadError", ErrorCategory.ReadError, "Cannot read '" + p.Value + "': " + e.Message, p.Value, e));
                        digests[p.Value] = null;
                    }
                }
            }
            List<KeyValuePair<HvHost, string>> work = _work.FindAll(p => digests[p.Value] != null);
            RunParallel(work, p => p.Key, (p, sink) =>
            {
                HvHost h = p.Key;
                TransferProgress progress = new TransferProgress(sink.Progress, "Uploading template '" + Name + "' to " + h);
                TemplateUploadResult result;
                try
                {
                    using (FileStream f = File.OpenRead(p.Value))
                    {
                        result = h.Client.UploadTemplate(Name, EntryMode, MemoryMB, CommandLine, f, digests[p.Value], progress.Report, sink.Token);
                    }
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.TemplateExists", ErrorCategory.ResourceExists,
                        h + " already has a template named '" + Name + "' (Remove-HvTemplate removes it).", Name, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.ChecksumMismatch)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.ChecksumMismatch", ErrorCategory.InvalidData,
                        "The upload of '" + Name + "' to " + h + " arrived damaged (SHA-256 mismatch) and was discarded; run the command again.", Name, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.Unsupported)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        h + " does not take template uploads (" + e.Message + ").", Name, e));
                }
                finally
                {
                    progress.Complete();
                }
                if (result.ResumedFrom > 0)
                {
                    sink.Verbose("Resumed the upload of '" + Name + "' to " + h + " at byte " + result.ResumedFrom + " of " + result.TotalBytes + ".");
                }
                if (result.Retries > 0)
                {
                    sink.Verbose("The upload to " + h + " recovered from " + result.Retries + " connection failure(s).");
                }
                foreach (TemplateInfo t in h.Client.ListTemplates())
                {
                    if (string.Equals(t.Name, Name, StringComparison.Ordinal))
                    {
                        sink.Output(new HvTemplate(h, t));
                        return;
                    }
                }
                sink.Warning("The upload of '" + Name + "' to " + h + " was committed, but the host does not list the template.");
            }, "Uploading templates", p => p.Key.ToString());
        }
    }

    /// <summary>Remove-HvTemplate: removes templates from hosts (VMs made from them are not touched).</summary>
    [Cmdlet(VerbsCommon.Remove, "HvTemplate", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvTemplateCommand : HostObjectRemoval
    {
        private const string NameSet = "Name";
        private const string TemplateSet = "Template";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = TemplateSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvTemplate[] Template { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == TemplateSet)
            {
                foreach (HvTemplate t in Template) AddTarget(t?.Server, t?.Name);
            }
            else
            {
                AddPatterns(Server, Name);
            }
        }

        protected override void EndProcessing()
        {
            RemoveCollected("template", Force, h => h.Client.ListTemplates(), t => t.Name, GetHvTemplateCommand.TemplateNotFound, (host, name) =>
            {
                try
                {
                    host.Client.RemoveTemplate(name);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.Unsupported)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        host + " cannot remove templates (" + e.Message + ").", name, e));
                }
            });
        }
    }
}
