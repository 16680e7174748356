using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>Templates: those the ISO ships and those uploaded, their priming, and their removal.</summary>
    public sealed partial class Hypervisor
    {
        public HypervisorStatus AddTemplate(Template template)
        {
            return _templates.Add(template);
        }

        /// <summary>
        /// Forgets a template. VMs made from it keep running (they hold their own references to its pages) but cannot
        /// restart. An uploaded template is freed; one that came with the image lives for good (its image may be shared).
        /// </summary>
        public HypervisorStatus RemoveTemplate(string name)
        {
            Template removed = _templates.Remove(name);
            if (removed == null) return HypervisorStatus.NotFound;
            for (int i = 0; i < _vms.Count; i++)
                if (_vms.At(i).Template == removed) _vms.At(i).ForgetTemplate();
            if (removed.Uploaded) removed.Free();
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Primes a template now: boots a VM from it until the guest is ready (the Ready hypercall, or the template's ready
        /// text on its console) within <paramref name="budgetTicks"/> of guest time, then that VM's memory, vCPU and devices
        /// become the template's start state, so its clones begin after the boot path.
        /// </summary>
        public HypervisorStatus Prime(string templateName, ulong budgetTicks)
        {
            PrimingJob job;
            HypervisorStatus status = BeginPrime(templateName, out job);
            if (status != HypervisorStatus.Ok) return status;
            ulong spent = 0;
            while (!job.IsDone && spent < budgetTicks)
            {
                ulong before = job.Vm.Counters.GuestTscTicks;
                _runner.RunSlice(job.Vm, 1000000);
                spent += job.Vm.Counters.GuestTscTicks - before;
            }
            return FinishPrime(job);
        }

        /// <summary>
        /// Starts priming a template in the background: its priming VM (named "priming-" and the template's name) runs
        /// among the others; the host finishes the job (<see cref="FinishPrime"/>) once <see cref="PrimingJob.IsDone"/>.
        /// </summary>
        public HypervisorStatus BeginPrime(string templateName, out PrimingJob job)
        {
            job = null;
            TemplateImage image = _templates.Find(templateName);
            if (image == null) return HypervisorStatus.NotFound;
            VirtualMachine vm;
            string name = Owned.Concat("priming-", templateName);
            HypervisorStatus status = Create(templateName, name, 0, out vm);
            if (status != HypervisorStatus.Ok)
            {
                Owned.Free(name);
                return status;
            }
            vm.Start();
            job = new PrimingJob(image, vm, _processor.Now());
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Ends a priming job: a ready guest's memory, vCPU and devices become its template's start state (Ok), anything
        /// else is PrimeFailed; the priming VM is removed and the job freed either way.
        /// </summary>
        public HypervisorStatus FinishPrime(PrimingJob job)
        {
            VirtualMachine vm = job.Vm;
            HypervisorStatus status = HypervisorStatus.PrimeFailed;
            AddressSpace golden = null;
            DiskImage disk = null;
            if (vm.State == VmState.Running && job.IsReady)
            {
                vm.Pause();
                status = vm.Memory.Fork(out golden) == AddressSpaceStatus.Ok ? HypervisorStatus.Ok : HypervisorStatus.OutOfMemory;
            }
            if (status == HypervisorStatus.Ok && vm.Disk != null && vm.Disk.Disk.Fork(out disk) != DiskStatus.Ok)
            {
                golden.Free();
                status = HypervisorStatus.OutOfMemory;
            }
            if (status == HypervisorStatus.Ok)
            {
                var state = new VcpuState();
                vm.Capture(state);
                job.Image.Prime(golden, state, disk);
            }
            Stop(vm.Id, status == HypervisorStatus.Ok ? StopCause.Primed : StopCause.PrimingFailed);
            Remove(vm.Id);
            job.Free();
            return status;
        }
    }
}
