using System.Collections.Generic;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class SchedulerTests
    {
        private static VirtualMachine Next(Scheduler scheduler)
        {
            return scheduler.Next(0, 1000, out _);
        }

        // Runs the scheduler for `hostTicks` of host time: each pick runs its whole slice (a spinning guest), an empty
        // pick lets `idleTicks` of host time pass. Returns the ticks each VM ran.
        private static Dictionary<VirtualMachine, ulong> Simulate(Scheduler scheduler, ulong hostTicks, ulong sliceTicks, ulong idleTicks = 5000)
        {
            var ran = new Dictionary<VirtualMachine, ulong>();
            ulong now = 1;
            while (now < hostTicks)
            {
                VirtualMachine vm = scheduler.Next(now, sliceTicks, out ulong slice);
                if (vm == null)
                {
                    now += idleTicks;
                    continue;
                }
                ran[vm] = (ran.TryGetValue(vm, out ulong t) ? t : 0) + slice;
                scheduler.Charge(vm, slice);
                now += slice;
            }
            return ran;
        }

        [Theory]
        [InlineData(1u, 3u)]
        [InlineData(100u, 100u)]
        [InlineData(50u, 200u)]
        [InlineData(1u, 10000u)]
        public void RunnableVmsGetCpuTimeInProportionToTheirWeights(uint weightA, uint weightB)
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            Assert.True(a.SetCpuShare(weightA, 0));
            Assert.True(b.SetCpuShare(weightB, 0));
            scheduler.Add(a); scheduler.Add(b);
            var ran = Simulate(scheduler, 2_000_000_000, 2_000_000);
            double share = (double)ran[a] / (ran[a] + ran[b]);
            Assert.InRange(share, 0.99 * weightA / (weightA + weightB), 1.01 * weightA / (weightA + weightB) + 0.001);
        }

        [Fact]
        public void A_vm_passed_over_sits_out_the_rest_of_the_pick_and_comes_back_without_credit()
        {
            // a halted (charged nothing, so its pass stays lowest) would be picked again and again: passed over, b runs.
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            scheduler.Add(a); scheduler.Add(b);
            Assert.Same(a, Next(scheduler));
            scheduler.Charge(a, 0);
            scheduler.PassOver(a);
            Assert.Same(b, Next(scheduler));
            scheduler.Charge(b, 5000);
            scheduler.EndRound();
            // Back in the next pick, at the pass of the last pick (b's): no credit for the time it sat out.
            Assert.Same(a, Next(scheduler));
            scheduler.PassOver(a);
            Assert.Same(b, Next(scheduler));
            scheduler.PassOver(b);
            Assert.Null(Next(scheduler)); // both wait: nothing to pick until the round ends
            scheduler.EndRound();
            Assert.NotNull(Next(scheduler));
        }

        [Fact]
        public void UnevenSlicesStillGiveSharesByWeight()
        {
            // A VM that yields early (short runs) is not starved or favoured: shares follow measured time, not turns.
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            a.SetCpuShare(300, 0); b.SetCpuShare(100, 0);
            scheduler.Add(a); scheduler.Add(b);
            ulong ranA = 0, ranB = 0, now = 0;
            for (int i = 0; i < 100_000; i++)
            {
                VirtualMachine vm = scheduler.Next(now, 1_000_000, out ulong slice);
                ulong used = vm == a ? slice / 7 : slice; // a halts after a seventh of its slice
                if (vm == a) ranA += used; else ranB += used;
                scheduler.Charge(vm, used);
                now += used;
            }
            Assert.InRange((double)ranA / ranB, 2.97, 3.03);
        }

        [Theory]
        [InlineData(25u)]
        [InlineData(1u)]
        [InlineData(50u)]
        [InlineData(99u)]
        public void ACappedVmAloneStaysWithinItsCap(uint cap)
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1);
            Assert.True(a.SetCpuShare(100, cap));
            scheduler.Add(a);
            ulong host = 1_000_000_000;
            var ran = Simulate(scheduler, host, 2_000_000);
            double share = (double)ran[a] / host;
            // Within a bucket (a tenth of the window's share) of the cap over 100 windows, never above it by more.
            Assert.InRange(share, cap / 100.0 * 0.98, cap / 100.0 + (double)Scheduler.CapWindowTicks * cap / 100 / host + 0.0001);
        }

        [Fact]
        public void TheHostIsToldWhenOnlyACappedVmWaits()
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1);
            a.SetCpuShare(100, 25);
            scheduler.Add(a);
            ulong now = 100_000_000, ran = 0;
            VirtualMachine vm = scheduler.Next(now, 50_000_000, out ulong slice);
            Assert.Same(a, vm);
            Assert.Equal(Scheduler.CapWindowTicks / 4, slice); // a full bucket, no more
            Assert.False(scheduler.Throttled);
            while (vm != null)
            {
                scheduler.Charge(a, slice);
                now += slice;
                ran += slice;
                vm = scheduler.Next(now, 50_000_000, out slice);
            }
            // Its budget ran out within the bucket and what the running time earned (a geometric series: 1/3 more).
            Assert.InRange(ran, Scheduler.CapWindowTicks / 4, Scheduler.CapWindowTicks / 3 + 1);
            Assert.True(scheduler.Throttled);
            a.Pause();
            Assert.Null(scheduler.Next(now, 2_000_000, out _));
            Assert.False(scheduler.Throttled);
        }

        [Fact]
        public void ACappedVmLeavesTheRestToAnUncappedOne()
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            a.SetCpuShare(10000, 25); // the heavier weight cannot take more than its cap
            scheduler.Add(a); scheduler.Add(b);
            ulong host = 1_000_000_000;
            var ran = Simulate(scheduler, host, 2_000_000);
            Assert.InRange((double)ran[a] / host, 0.245, 0.2526);
            Assert.InRange((double)(ran[a] + ran[b]) / host, 0.999, 1.003); // the last slice may end past the host time
        }

        [Fact]
        public void AVmThatComesBackGetsNoCreditForTheTimeItWasAway()
        {
            var scheduler = new Scheduler(4);
            var a = TestVm.Running(1); var b = TestVm.Running(2);
            scheduler.Add(a); scheduler.Add(b);
            a.Pause();
            ulong now = 0;
            for (int i = 0; i < 100; i++)
            {
                Assert.Same(b, scheduler.Next(now, 1000, out ulong slice));
                scheduler.Charge(b, slice);
                now += slice;
            }
            a.Resume();
            int picksOfA = 0;
            for (int i = 0; i < 10; i++)
            {
                VirtualMachine vm = scheduler.Next(now, 1000, out ulong slice);
                if (vm == a) picksOfA++;
                scheduler.Charge(vm, slice);
                now += slice;
            }
            Assert.InRange(picksOfA, 5, 6);
        }

        [Fact]
        public void WeightsAndCapsOutOfRangeAreRefusedAndChangeNothing()
        {
            var vm = TestVm.Running(1);
            Assert.Equal(VirtualMachine.DefaultCpuWeight, vm.CpuWeight);
            Assert.False(vm.SetCpuShare(0, 0));
            Assert.False(vm.SetCpuShare(10001, 0));
            Assert.False(vm.SetCpuShare(100, 101));
            Assert.Equal(VirtualMachine.DefaultCpuWeight, vm.CpuWeight);
            Assert.Equal(0u, vm.CpuCapPercent);
            Assert.True(vm.SetCpuShare(10000, 100));
            Assert.Equal(10000u, vm.CpuWeight);
            Assert.Equal(100u, vm.CpuCapPercent);
        }

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
            for (int i = 0; i < k; i++) picks[Next(scheduler)]++;
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
            Assert.Same(a, Next(scheduler));
            Assert.Same(b, Next(scheduler));
            Assert.Same(c, Next(scheduler));
            Assert.Same(a, Next(scheduler));
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
            Assert.Same(a, Next(scheduler));
            Assert.Same(a, Next(scheduler));
            b.Resume();
            Assert.Same(b, Next(scheduler));
            Assert.Equal(1, scheduler.RemoveFinished());
            Assert.Equal(3, scheduler.Count);
            a.Stop(StopCause.Requested); b.Stop(StopCause.Forced);
            Assert.Null(Next(scheduler));
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
            Assert.Same(b, Next(scheduler));
            Assert.Same(b, Next(scheduler));
        }
    }
}
