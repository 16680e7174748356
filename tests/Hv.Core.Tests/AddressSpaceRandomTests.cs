using System;
using System.Linq;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Random operations over 5 slots of spaces against a reference model (one byte[] per slot), with the
    /// structural checker (invariant, exact counts, no leak) after every single operation.
    /// </summary>
    public class AddressSpaceRandomTests
    {
        private const int Slots = 5;
        // Crosses a 2 MiB boundary so there are two PTs; small enough to compare often.
        private const ulong Size = 2 * 1024 * 1024 + 32 * 1024;

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Random_forks_writes_resolves_releases_and_restores_match_the_model(int seed)
        {
            var random = new Random(seed);
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var spaces = new AddressSpace[Slots];
            var models = new byte[Slots][];

            for (int op = 0; op < 2000; op++)
            {
                int slot = random.Next(Slots);
                int other = random.Next(Slots);
                int kind = random.Next(100);
                if (spaces[slot] == null)
                {
                    if (spaces[other] != null && kind < 70)
                    {
                        Assert.Equal(AddressSpaceStatus.Ok, spaces[other].Fork(out spaces[slot]));
                        models[slot] = (byte[])models[other].Clone();
                    }
                    else
                    {
                        Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, sharing, Size, out spaces[slot]));
                        models[slot] = new byte[Size];
                    }
                }
                else if (kind < 45)
                {
                    // Host write of 1..9000 bytes, biased towards a few hot pages so sharing gets re-broken.
                    int length = 1 + random.Next(kind < 30 ? 16 : 9000);
                    ulong gpa = Address(random, (ulong)length);
                    var data = new byte[length];
                    random.NextBytes(data);
                    Assert.True(spaces[slot].Write(gpa, data));
                    Array.Copy(data, 0, models[slot], (long)gpa, length);
                }
                else if (kind < 60)
                {
                    // A guest write: the fault is resolved, then the guest stores through the (now writable) mapping.
                    ulong gpa = Address(random, 1);
                    Assert.Equal(EptFaultResult.Resolved, spaces[slot].ResolveWrite(gpa));
                    Assert.True(spaces[slot].Translate(gpa, out ulong hpa, out bool writable));
                    Assert.True(writable);
                    byte value = (byte)random.Next(256);
                    pages.Page(hpa & ~0xFFFUL)[(int)(hpa & 0xFFF)] = value;
                    models[slot][gpa] = value;
                }
                else if (kind < 70)
                {
                    int length = 1 + random.Next(6000);
                    ulong gpa = Address(random, (ulong)length);
                    var data = new byte[length];
                    Assert.True(spaces[slot].Read(gpa, data));
                    Assert.True(data.AsSpan().SequenceEqual(models[slot].AsSpan((int)gpa, length)), $"op {op}: read mismatch");
                }
                else if (kind < 80)
                {
                    if (spaces[other] != null && other != slot)
                    {
                        Assert.Equal(AddressSpaceStatus.Ok, spaces[slot].RestoreFrom(spaces[other]));
                        models[slot] = (byte[])models[other].Clone();
                    }
                }
                else if (kind < 88)
                {
                    // Fork into a free slot, else fork and drop (a snapshot taken and thrown away).
                    int free = Array.IndexOf(spaces, null);
                    Assert.Equal(AddressSpaceStatus.Ok, spaces[slot].Fork(out var fork));
                    if (free >= 0)
                    {
                        spaces[free] = fork;
                        models[free] = (byte[])models[slot].Clone();
                    }
                    else
                    {
                        fork.Release();
                    }
                }
                else
                {
                    spaces[slot].Release();
                    spaces[slot].Release();
                    spaces[slot] = null;
                    models[slot] = null;
                }

                CowCheck.Consistent(pages, sharing, spaces);
                if (op % 250 == 0)
                    for (int i = 0; i < Slots; i++)
                        if (spaces[i] != null)
                            Assert.Equal(models[i], CowCheck.Contents(spaces[i]));
            }

            for (int i = 0; i < Slots; i++)
            {
                if (spaces[i] == null)
                    continue;
                Assert.Equal(models[i], CowCheck.Contents(spaces[i]));
                Assert.Equal(spaces[i].TotalPages, spaces[i].PrivatePages + spaces[i].SharedPages);
                spaces[i].Release();
            }
            Assert.Equal(0, pages.Outstanding);
            Assert.Equal(0UL, sharing.LivePages);
        }

        private static ulong Address(Random random, ulong length)
        {
            // Half the accesses go to 8 hot pages (two of them around the 2 MiB boundary).
            ulong gpa;
            if (random.Next(2) == 0)
            {
                ulong[] hot = { 0, 0x1000, 0x7000, 0x1FF000, 0x200000, 0x201000, 0x100000, Size - 0x1000 };
                gpa = hot[random.Next(hot.Length)] + (ulong)random.Next(4096);
            }
            else
            {
                gpa = (ulong)(random.NextDouble() * Size);
            }
            if (gpa + length > Size)
                gpa = Size - length;
            return gpa;
        }
    }
}
