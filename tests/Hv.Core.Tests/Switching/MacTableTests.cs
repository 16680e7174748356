using Hv.Core.Networking;

namespace Hv.Core.Tests.Switching
{
    /// <summary>The filtering database: learning, moves, aging, and replacement in a full set.</summary>
    public class MacTableTests
    {
        [Fact]
        public void A_station_that_moves_is_found_on_its_new_port()
        {
            var table = new MacTable(64, 100);
            table.Learn(0x020000000001, 3, 0);
            Assert.Equal(3, table.Lookup(0x020000000001, 50));
            table.Learn(0x020000000001, 5, 60);
            Assert.Equal(5, table.Lookup(0x020000000001, 150));
            Assert.Equal(-1, table.Lookup(0x020000000001, 161));
            Assert.Equal(-1, table.Lookup(0x020000000002, 0));
        }

        [Fact]
        public void A_full_set_replaces_the_entry_seen_longest_ago_and_counts_it()
        {
            var table = new MacTable(1, 1000); // one set of four
            for (ulong i = 0; i < 4; i++)
                table.Learn(0x020000000000 + i, (int)i, 10 + i);
            table.Learn(0x020000000000, 0, 20); // refreshed: now the newest
            table.Learn(0x020000000009, 9, 21);
            Assert.Equal(1UL, table.Evictions);
            Assert.Equal(-1, table.Lookup(0x020000000001, 21));
            Assert.Equal(0, table.Lookup(0x020000000000, 21));
            Assert.Equal(9, table.Lookup(0x020000000009, 21));
        }

        [Fact]
        public void Aged_entries_are_reused_without_counting_an_eviction()
        {
            var table = new MacTable(1, 10);
            for (ulong i = 0; i < 4; i++)
                table.Learn(0x020000000000 + i, (int)i, 0);
            table.Learn(0x020000000009, 9, 100);
            Assert.Equal(0UL, table.Evictions);
            Assert.Equal(9, table.Lookup(0x020000000009, 100));
        }

        [Fact]
        public void Forget_drops_only_the_port_given()
        {
            var table = new MacTable(16, 100);
            table.Learn(0x020000000001, 1, 0);
            table.Learn(0x020000000002, 2, 0);
            table.Forget(1);
            Assert.Equal(-1, table.Lookup(0x020000000001, 0));
            Assert.Equal(2, table.Lookup(0x020000000002, 0));
        }
    }
}
