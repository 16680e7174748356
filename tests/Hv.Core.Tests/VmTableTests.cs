using System.Collections.Generic;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class VmTableTests
    {
        [Fact]
        public void First_vms_get_ids_one_two_three_and_are_found_by_id_and_name()
        {
            var table = new VmTable(8);
            var a = table.Add("a");
            var b = table.Add("b");
            var c = table.Add("c");
            Assert.Equal(new uint[] { 1, 2, 3 }, new[] { a.Id, b.Id, c.Id });
            Assert.Equal(new[] { 0, 1, 2 }, new[] { a.Slot, b.Slot, c.Slot });
            // Each slot has VcpuSet.MaxCount VPIDs, one per vCPU; none is 0 (the host's).
            Assert.Equal(new ushort[] { 1, 5, 9 }, new[] { a.Vpid, b.Vpid, c.Vpid });
            Assert.Equal(new ushort[] { 2, 4, 6 }, new[] { a.VpidOf(1), a.VpidOf(3), b.VpidOf(1) });
            Assert.Same(b, table.Find(2));
            Assert.Same(c, table.FindByName("c"));
            Assert.Null(table.Find(0));
            Assert.Null(table.Find(4));
            Assert.Null(table.Find(uint.MaxValue));
            Assert.Equal(3, table.Count);
        }

        [Fact]
        public void A_removed_vms_id_is_not_given_again_and_its_slot_comes_back_last()
        {
            var table = new VmTable(3);
            var a = table.Add("a");
            table.Add("b");
            a.Remove();
            table.Remove(a);
            Assert.Null(table.Find(1));
            Assert.Equal(3u, table.Add("c").Id);            // the never-used slot first
            var d = table.Add("d");                          // then a's slot, one generation on
            Assert.Equal(0, d.Slot);
            Assert.NotEqual(1u, d.Id);
            Assert.Equal(1u, d.Id & 3);                      // 2 slot bits for 3 slots: slot + 1 in the low bits
            Assert.Same(d, table.Find(d.Id));
            Assert.Null(table.Find(1));                      // the old id names nothing
            Assert.True(table.IsFull);
            Assert.Null(table.Add("e"));
        }

        [Fact]
        public void A_cancelled_add_gives_its_id_to_the_next_vm()
        {
            var table = new VmTable(4);
            table.Add("a");
            var failed = table.Add("b");
            table.Cancel(failed);
            Assert.Null(table.Find(2));
            Assert.Equal(1, table.Count);
            Assert.Equal(2u, table.Add("c").Id);
        }

        [Fact]
        public void The_dense_list_holds_every_live_vm_once_after_removals()
        {
            var table = new VmTable(16);
            var live = new List<VirtualMachine>();
            for (int i = 0; i < 10; i++) live.Add(table.Add("vm" + i));
            foreach (int i in new[] { 0, 9, 4 })
            {
                live[i].Remove();
                table.Remove(live[i]);
            }
            live.RemoveAt(9);
            live.RemoveAt(4);
            live.RemoveAt(0);
            var seen = new HashSet<VirtualMachine>();
            for (int i = 0; i < table.Count; i++) Assert.True(seen.Add(table.At(i)));
            Assert.Equal(new HashSet<VirtualMachine>(live), seen);
            Assert.Null(table.At(table.Count));
            foreach (var vm in live) Assert.Same(vm, table.Find(vm.Id));
        }

        [Fact]
        public void Ids_stay_unique_through_many_reuses_of_one_slot()
        {
            var table = new VmTable(2);
            var ids = new HashSet<uint>();
            for (int i = 0; i < 5000; i++)
            {
                var vm = table.Add("x");
                Assert.True(ids.Add(vm.Id));
                Assert.NotEqual(0u, vm.Id);
                vm.Remove();
                table.Remove(vm);
            }
        }
    }
}
