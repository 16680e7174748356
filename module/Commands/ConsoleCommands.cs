using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Reads a VM's console as text from a stream offset, in chunks (shared by the console cmdlets).</summary>
    internal sealed class ConsoleReader
    {
        private readonly HvVm _vm;
        private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
        private readonly char[] _chars = new char[ProtocolInfo.MaxConsoleChunk + 8];

        public ConsoleReader(HvVm vm, ulong offset)
        {
            _vm = vm;
            Offset = offset;
            StartOffset = offset;
        }

        public ulong Offset { get; private set; }
        public ulong StartOffset { get; private set; }
        public bool Dropped { get; private set; }

        /// <summary>Appends what the host has now (up to a bound, so a chatty guest cannot keep it reading forever).</summary>
        public void Drain(StringBuilder into, int maxChunks = 64)
        {
            for (int i = 0; i < maxChunks; i++)
            {
                ConsoleChunk chunk = _vm.Server.Client.ReadConsole(_vm.Id, Offset);
                if (chunk.Dropped)
                {
                    Dropped = true;
                    if (into.Length == 0)
                    {
                        StartOffset = chunk.StartOffset;
                    }
                }
                int n = chunk.Data == null ? 0 : chunk.Data.Length;
                if (n > 0)
                {
                    int c = _decoder.GetChars(chunk.Data, 0, n, _chars, 0, false);
                    into.Append(_chars, 0, c);
                }
                Offset = chunk.NextOffset;
                if (n < ProtocolInfo.MaxConsoleChunk)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Get-HvVmConsole: console output from an offset; -Wait follows new output until the VM stops.</summary>
    [Cmdlet(VerbsCommon.Get, "HvVmConsole", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVmConsoleOutput), typeof(string))]
    public sealed class GetHvVmConsoleCommand : VmCmdlet
    {
        /// <summary>Stream offset to read from (0: everything the host still holds; a previous NextOffset: what came since).</summary>
        [Parameter]
        public ulong Offset { get; set; }

        /// <summary>Follow new output until the VM stops, -Timeout passes, or Ctrl+C.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: stop following after this many seconds (0: until the VM stops).</summary>
        [Parameter]
        [ValidateRange(0, 604800)]
        public int Timeout { get; set; }

        /// <summary>Emit plain strings (with -Wait: one per line) instead of console objects.</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        protected override string Activity => null;
        protected override bool Ordered => !Wait;

        protected override bool WorkPerHost => Wait;

        protected override void Work(HvVm vm, Sink sink)
        {
            ConsoleReader reader = new ConsoleReader(vm, Offset);
            StringBuilder text = new StringBuilder();
            reader.Drain(text, int.MaxValue);
            Emit(vm, sink, text.ToString(), reader.StartOffset, reader.Offset, reader.Dropped, whole: true);
        }

        /// <summary>-Wait: follows every VM of one host in turn, emitting whole lines as they come.</summary>
        protected override void WorkHost(List<HvVm> vms, Sink sink)
        {
            long deadline = Timeout > 0 ? Stopwatch.GetTimestamp() + Timeout * Stopwatch.Frequency : long.MaxValue;
            Dictionary<HvVm, Follow> follows = new Dictionary<HvVm, Follow>();
            foreach (HvVm vm in vms)
            {
                follows[vm] = new Follow { Reader = new ConsoleReader(vm, Offset), Start = Offset };
            }
            PollAll(vms, vm =>
            {
                Follow f = follows[vm];
                HvVm now = Fresh(vm);
                bool stopped = now.State == VmState.Stopped || now.State == VmState.Removed;
                f.Reader.Drain(f.Text);
                bool last = stopped || Stopwatch.GetTimestamp() >= deadline || sink.Token.IsCancellationRequested;
                // Whole lines only; a partial line waits for its end (or for the follow to end).
                string s = f.Text.ToString();
                int cut = last ? s.Length : s.LastIndexOf('\n') + 1;
                if (cut > 0)
                {
                    ulong next = f.Reader.Offset - (ulong)Encoding.UTF8.GetByteCount(s.Substring(cut));
                    Emit(vm, sink, s.Substring(0, cut), f.Start, next, f.Reader.Dropped, whole: false);
                    f.Start = next;
                    f.Text.Remove(0, cut);
                }
                return last;
            }, sink);
        }

        private sealed class Follow
        {
            public ConsoleReader Reader;
            public StringBuilder Text = new StringBuilder();
            public ulong Start;
        }

        private void Emit(HvVm vm, Sink sink, string text, ulong start, ulong next, bool dropped, bool whole)
        {
            if (!Raw)
            {
                if (whole || text.Length > 0)
                {
                    sink.Output(new HvVmConsoleOutput(vm, text, start, next, dropped));
                }
                return;
            }
            if (whole)
            {
                sink.Output(text);
                return;
            }
            foreach (string line in text.TrimEnd('\n').Split('\n'))
            {
                if (text.Length > 0)
                {
                    sink.Output(line.TrimEnd('\r'));
                }
            }
        }
    }

    /// <summary>Send-HvVmConsole: types text on a VM's console (a newline is added unless -NoNewline).</summary>
    [Cmdlet(VerbsCommunications.Send, "HvVmConsole", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class SendHvVmConsoleCommand : VmCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyString]
        public string Text { get; set; }

        [Parameter]
        public SwitchParameter NoNewline { get; set; }

        protected override string Action => "Send console input";
        protected override string Activity => "Sending console input";

        protected override void Work(HvVm vm, Sink sink)
        {
            byte[] data = Encoding.UTF8.GetBytes(NoNewline ? Text : Text + "\n");
            int accepted = vm.Server.Client.WriteConsole(vm.Id, data);
            if (accepted < data.Length)
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.ConsoleInputFull", ErrorCategory.ResourceUnavailable,
                    Describe(vm) + " took " + accepted + " of " + data.Length + " bytes: its console input buffer is full.", vm));
            }
        }
    }
}
