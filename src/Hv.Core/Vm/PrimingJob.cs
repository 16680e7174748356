namespace Hv.Core.Vm
{
    /// <summary>
    /// A template being primed: a VM booted from it runs among the others until its guest is ready (the Ready hypercall,
    /// or the template's ready text on its console, such as a shell prompt); then <see cref="Hypervisor.FinishPrime"/>
    /// makes its memory, vCPU and devices the template's start state, so clones begin there.
    /// </summary>
    public sealed class PrimingJob
    {
        private readonly ConsoleWatch _watch;
        private bool _textSeen; // the watch reports the text once: the job remembers it

        internal PrimingJob(TemplateImage image, VirtualMachine vm, ulong startTicks)
        {
            Image = image;
            Vm = vm;
            StartTicks = startTicks;
            string ready = image.Template.ReadyText;
            _watch = ready != null ? new ConsoleWatch(ready) : null;
        }

        public TemplateImage Image { get; }
        public VirtualMachine Vm { get; }
        /// <summary>The host TSC when the priming VM was started.</summary>
        public ulong StartTicks { get; }

        /// <summary>The guest is ready to be captured.</summary>
        public bool IsReady
        {
            get
            {
                if (!_textSeen && _watch != null) _textSeen = _watch.Seen(Vm.Console);
                return Vm.Ready || _textSeen;
            }
        }

        /// <summary>Nothing more can happen: the guest is ready, or its VM stopped first.</summary>
        public bool IsDone { get { return Vm.State != VmState.Running || IsReady; } }

        internal void Free()
        {
            if (_watch != null) _watch.Free();
            Owned.Free(this);
        }
    }
}
