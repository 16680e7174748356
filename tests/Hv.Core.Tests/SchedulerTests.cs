using System.Collections.Generic;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class SchedulerTests
    {
        [Theory]
        [InlineData(3, 10)]
        [InlineData(5, 101)]
        [InlineData(7, 7)]
        [InlineData(4, 1000)]
        public void EachRunnableVmGetsItsShare(int n, int k)
        {
            var scheduler = new Scheduler(16);
            var picks = new Dictionary<VirtualMachine, int>();
            for (int i = 0; i < n; i++)
            {
                var vm = TestVm.Running((uint)i + 1);
                scheduler.Add(vm);
                picks[vm] = 0;
            }
            for (int i = 0; i < k; i++) picks[scheduler.Next()]++;
            foreach (int count in picks.Values)
            {
                Assert.InRange(count, k / n, k / n + 1);
            }
        }

        [Fact]
        public void RoundRobinOrderPutsThePickedVmAtTheBack()
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2); var c = TestVm.Running(3);
            scheduler.Add(a); scheduler.Add(b); scheduler.Add(c);
            Assert.Same(a, scheduler.Next());
            Assert.Same(b, scheduler.Next());
            Assert.Same(c, scheduler.Next());
            Assert.Same(a, scheduler.Next());
        }

        [Fact]
        public void NonRunningVmsAreSkippedAndStoppedOnesRemovable()
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2); var c = TestVm.Running(3);
            var created = TestVm.Created(4);
            scheduler.Add(a); scheduler.Add(b); scheduler.Add(c); scheduler.Add(created);
            b.Pause();
            c.Stop(StopCause.Requested);
            Assert.Same(a, scheduler.Next());
            Assert.Same(a, scheduler.Next());
            b.Resume();
            Assert.Same(b, scheduler.Next());
            Assert.Equal(1, scheduler.RemoveFinished());
            Assert.Equal(3, scheduler.Count);
            a.Stop(StopCause.Requested); b.Stop(StopCause.Forced);
            Assert.Null(scheduler.Next());
            Assert.Equal(2, scheduler.RemoveFinished());
            Assert.Equal(1, scheduler.Count);
        }

        [Fact]
        public void AddRejectsDuplicatesNullAndOverflowRemoveWorks()
        {
            var scheduler = new Scheduler(2);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            Assert.True(scheduler.Add(a));
            Assert.False(scheduler.Add(a));
            Assert.False(scheduler.Add(null));
            Assert.True(scheduler.Add(b));
            Assert.False(scheduler.Add(TestVm.Running(3)));
            Assert.True(scheduler.Remove(a));
            Assert.False(scheduler.Remove(a));
            Assert.Same(b, scheduler.Next());
            Assert.Same(b, scheduler.Next());
        }
    }
}
