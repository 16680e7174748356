using System.Collections.Generic;
using Hv.Core.Guests;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>
    /// The guest-state checks VM entry makes on registers and segments (SDM Vol. 3C §26.3.1.1-26.3.1.4)
    /// for an unrestricted guest, as Bochs implements them. CR0/CR4 fixed bits are left out: the kernel
    /// applies them from the capability MSRs.
    /// </summary>
    internal static class VmEntryGuestChecks
    {
        public static List<string> Violations(GuestEntryState s)
        {
            var bad = new List<string>();
            bool ia32e = s.LongMode;
            bool pe = (s.Cr0 & 1) != 0;
            bool pg = (s.Cr0 & (1UL << 31)) != 0;
            // 26.3.1.1 control registers and EFER
            if (pg && !pe) bad.Add("CR0.PG without PE");
            if (ia32e && (!pg || (s.Cr4 & (1 << 5)) == 0)) bad.Add("IA-32e guest needs CR0.PG and CR4.PAE");
            if (pg && ((s.Efer >> 10) & 1) != ((s.Efer >> 8) & 1)) bad.Add("EFER.LMA != LME with paging");
            if (!ia32e && (s.Cr4 & (1 << 17)) != 0) bad.Add("PCIDE outside IA-32e");
            // 26.3.1.2 segment registers
            Tr(s.Tr, ia32e, bad);
            if (!SegmentAccessRights.IsUnusable(s.Ldtr.AccessRights))
                Usable("LDTR", s.Ldtr, bad, t => t == 2, false);
            bool csL = (s.Cs.AccessRights & SegmentAccessRights.LongMode) != 0;
            Usable("CS", s.Cs, bad, t => t == 9 || t == 11 || t == 13 || t == 15 || t == 3, true);
            if (SegmentAccessRights.IsUnusable(s.Cs.AccessRights)) bad.Add("CS unusable");
            if (SegmentAccessRights.Type(s.Cs.AccessRights) == 3 && SegmentAccessRights.Dpl(s.Cs.AccessRights) != 0) bad.Add("CS type 3 DPL");
            if (ia32e && csL && (s.Cs.AccessRights & SegmentAccessRights.DefaultBig) != 0) bad.Add("CS.L with CS.D");
            if (!SegmentAccessRights.IsUnusable(s.Ss.AccessRights))
            {
                Usable("SS", s.Ss, bad, t => t == 3 || t == 7, true);
                if (!pe && SegmentAccessRights.Dpl(s.Ss.AccessRights) != 0) bad.Add("SS.DPL with PE=0");
            }
            if (SegmentAccessRights.Dpl(s.Ss.AccessRights) != SegmentAccessRights.Dpl(s.Cs.AccessRights)
                && SegmentAccessRights.Type(s.Cs.AccessRights) != 3) bad.Add("SS.DPL != CS.DPL");
            Data("DS", s.Ds, bad);
            Data("ES", s.Es, bad);
            Data("FS", s.Fs, bad);
            Data("GS", s.Gs, bad);
            if ((s.Cs.Base >> 32) != 0 || (s.Ss.Base >> 32) != 0 || (s.Ds.Base >> 32) != 0 || (s.Es.Base >> 32) != 0)
                bad.Add("CS/SS/DS/ES base above 4 GiB");
            // 26.3.1.3 descriptor-table registers
            if ((s.GdtrLimit >> 16) != 0 || (s.IdtrLimit >> 16) != 0) bad.Add("GDTR/IDTR limit above 16 bits");
            // 26.3.1.4 RIP and RFLAGS
            if ((!ia32e || !csL) && (s.Rip >> 32) != 0) bad.Add("RIP above 4 GiB outside 64-bit code");
            if ((s.Rflags & 2) == 0) bad.Add("RFLAGS bit 1");
            if ((s.Rflags & ~0x3F7FD7UL) != 0) bad.Add("RFLAGS reserved bits");
            if ((s.Rflags & (1 << 17)) != 0 && (ia32e || !pe)) bad.Add("RFLAGS.VM");
            return bad;
        }

        private static void Tr(GuestSegment tr, bool ia32e, List<string> bad)
        {
            uint ar = tr.AccessRights;
            if (SegmentAccessRights.IsUnusable(ar)) bad.Add("TR unusable");
            if ((tr.Selector & 4) != 0) bad.Add("TR.TI");
            uint type = SegmentAccessRights.Type(ar);
            if (ia32e ? type != 11 : type != 3 && type != 11) bad.Add("TR type");
            if ((ar & SegmentAccessRights.DescriptorTypeCodeData) != 0) bad.Add("TR.S");
            Common("TR", tr, bad);
        }

        private static void Data(string name, GuestSegment seg, List<string> bad)
        {
            if (SegmentAccessRights.IsUnusable(seg.AccessRights)) return;
            // Accessed; if code, also readable.
            Usable(name, seg, bad, t => (t & 1) != 0 && (t < 8 || (t & 2) != 0), true);
        }

        private static void Usable(string name, GuestSegment seg, List<string> bad, System.Func<uint, bool> typeOk, bool codeOrData)
        {
            uint ar = seg.AccessRights;
            if (!typeOk(SegmentAccessRights.Type(ar))) bad.Add(name + " type");
            if (((ar & SegmentAccessRights.DescriptorTypeCodeData) != 0) != codeOrData) bad.Add(name + ".S");
            Common(name, seg, bad);
        }

        private static void Common(string name, GuestSegment seg, List<string> bad)
        {
            uint ar = seg.AccessRights;
            if ((ar & SegmentAccessRights.Present) == 0) bad.Add(name + ".P");
            if ((ar & 0xF00) != 0 || (ar >> 17) != 0) bad.Add(name + " reserved access-rights bits");
            bool g = (ar & SegmentAccessRights.Granularity) != 0;
            if ((seg.Limit & 0xFFF) != 0xFFF && g) bad.Add(name + " G with limit 11:0 not all ones");
            if ((seg.Limit >> 20) != 0 && !g) bad.Add(name + " limit above 1 MiB without G");
        }
    }

    public class GuestEntryStateTests
    {
        [Fact]
        public void RealModeStatePassesEntryChecks()
        {
            var state = new GuestEntryState();
            var memory = new LoaderTestMemory(1 << 20);
            Assert.Equal(GuestLoadStatus.Ok, RealModeLoader.Load(new byte[] { 0xF4 }, memory, 1 << 20, state));
            Assert.Empty(VmEntryGuestChecks.Violations(state));

            Assert.Equal(new GuestSegment(0, 0, 0xFFFF, 0x9B), state.Cs);
            foreach (var seg in new[] { state.Ds, state.Es, state.Ss, state.Fs, state.Gs })
                Assert.Equal(new GuestSegment(0, 0, 0xFFFF, 0x93), seg);
            Assert.Equal(0x10000U, state.Ldtr.AccessRights);
            Assert.Equal(0x8BU, state.Tr.AccessRights);
            Assert.Equal(0UL, state.Cr0 & 0x8000_0001UL); // PE = PG = 0: unrestricted guest
            Assert.Equal(0x8000UL, state.Rip);
            Assert.Equal(0x7000UL, state.Rsp);
            Assert.Equal(2UL, state.Rflags);
            Assert.Equal(0x3FFU, state.IdtrLimit);
            Assert.Equal(0UL, state.Efer);
            Assert.False(state.LongMode);
        }

        [Fact]
        public void LongModeStatePassesEntryChecks()
        {
            var state = new GuestEntryState();
            var memory = new LoaderTestMemory(16 << 20);
            Assert.Equal(GuestLoadStatus.Ok, LongModeLoader.Load(new byte[] { 0xF4 }, memory, 16 << 20, state));
            Assert.Empty(VmEntryGuestChecks.Violations(state));

            Assert.True(state.LongMode);
            Assert.Equal(new GuestSegment(0x08, 0, 0xFFFFFFFF, 0xA09B), state.Cs);
            Assert.Equal(new GuestSegment(0x10, 0, 0xFFFFFFFF, 0xC093), state.Ss);
            Assert.Equal(new GuestSegment(0x18, 0x1080, 0x67, 0x8B), state.Tr);
            Assert.True(SegmentAccessRights.IsUnusable(state.Ldtr.AccessRights));
            Assert.Equal(0x8000_0011UL, state.Cr0);
            Assert.Equal(0x20UL, state.Cr4);
            Assert.Equal(0x500UL, state.Efer);
            Assert.Equal(0x10000UL, state.Cr3);
            Assert.Equal(0x100000UL, state.Rip);
            Assert.Equal(16UL << 20, state.Rsp);
            Assert.Equal(0x1000UL, state.GdtrBase);
            Assert.Equal(39U, state.GdtrLimit);
        }

        [Fact]
        public void MultibootStatePassesEntryChecks()
        {
            var state = new GuestEntryState();
            var memory = new LoaderTestMemory(8 << 20);
            byte[] image = GuestLoaderTests.AoutKernel();
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, 8 << 20, new byte[0], state));
            Assert.Empty(VmEntryGuestChecks.Violations(state));

            Assert.False(state.LongMode);
            Assert.Equal(new GuestSegment(0x08, 0, 0xFFFFFFFF, 0xC09B), state.Cs);
            Assert.Equal(new GuestSegment(0x10, 0, 0xFFFFFFFF, 0xC093), state.Ds);
            Assert.Equal(0x8BU, state.Tr.AccessRights);
            Assert.Equal(0x11UL, state.Cr0); // PE, paging off
            Assert.Equal(0x2BADB002UL, state.Rax);
            Assert.Equal(0x2000UL, state.Rbx);
            Assert.Equal(0UL, state.Efer);
        }

        [Fact]
        public void ChecksCatchWhatVmEntryWouldRefuse()
        {
            var state = new GuestEntryState();
            RealModeLoader.Load(new byte[] { 0xF4 }, new LoaderTestMemory(1 << 20), 1 << 20, state);
            state.Tr = GuestSegment.Unusable();
            state.Cs.AccessRights = 0x9B | 0x8000; // G with a limit whose low 12 bits are not all ones
            state.Cs.Limit = 0x1000;
            state.Rflags = 0;
            var bad = VmEntryGuestChecks.Violations(state);
            Assert.Contains("TR unusable", bad);
            Assert.Contains("CS G with limit 11:0 not all ones", bad);
            Assert.Contains("RFLAGS bit 1", bad);
        }

        [Fact]
        public void ResetClearsEverything()
        {
            var state = new GuestEntryState();
            LongModeLoader.Load(new byte[] { 0xF4 }, new LoaderTestMemory(4 << 20), 4 << 20, state);
            state.Reset();
            Assert.Equal(default(GuestSegment), state.Cs);
            Assert.Equal(default(GuestSegment), state.Tr);
            Assert.Equal(0UL, state.Cr0 | state.Cr3 | state.Cr4 | state.Efer | state.Rip | state.Rsp | state.Rflags | state.Rax | state.Rbx);
            Assert.Equal(0UL, state.GdtrBase + state.GdtrLimit + state.IdtrBase + state.IdtrLimit);
        }
    }
}
