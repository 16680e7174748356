using System.Collections.Generic;
using System.Reflection;
using Hv.Core.Guests;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class VmcsControlsTests
    {
        [Fact]
        public void AdjustAddsRequiredBitsDropsForbiddenAndReportsThem()
        {
            // must-be-one: bits 1, 2, 4; may-be-one: bits 0-7 except 3 (SDM A.3.1).
            ulong capability = (0xF7UL << 32) | 0x16;
            uint desired = (1u << 0) | (1u << 3) | (1u << 31);
            uint value = VmxCapability.Adjust(capability, desired, out uint unsupported);
            Assert.Equal((1u << 0) | 0x16u, value);
            Assert.Equal((1u << 3) | (1u << 31), unsupported);
        }

        [Fact]
        public void AdjustWithEverythingAllowedKeepsDesired()
        {
            uint value = VmxCapability.Adjust(0xFFFFFFFF_00000000UL, VmxControls.HltExiting | VmxControls.UseIoBitmaps, out uint unsupported);
            Assert.Equal(VmxControls.HltExiting | VmxControls.UseIoBitmaps, value);
            Assert.Equal(0u, unsupported);
        }

        [Fact]
        public void BasicMsrFields()
        {
            ulong basic = (1UL << 55) | (0x1000UL << 32) | 0x8000_0004;
            Assert.Equal(4u, VmxCapability.VmcsRevision(basic)); // bit 31 is not part of the revision
            Assert.True(VmxCapability.HasTrueControls(basic));
            Assert.False(VmxCapability.HasTrueControls(basic & ~(1UL << 55)));
        }

        [Fact]
        public void FixedBitsForceOnesAndZeros()
        {
            // Typical CR0: FIXED0 = PE|NE|PG, FIXED1 = all low 32 bits.
            ulong cr0 = VmxCapability.ApplyFixedBits(0x10, 0x80000021, 0xFFFFFFFF);
            Assert.Equal(0x80000031UL, cr0);
            Assert.Equal(0x2000UL, VmxCapability.ApplyFixedBits(0x1_0000_0000, 0x2000, 0xFFFFFFFF));
        }

        [Fact]
        public void ControlBitsMatchTheSdm()
        {
            Assert.Equal(0x80u, VmxControls.HltExiting);
            Assert.Equal(0x0200_0000u, VmxControls.UseIoBitmaps);
            Assert.Equal(0x1000_0000u, VmxControls.UseMsrBitmaps);
            Assert.Equal(0x8000_0000u, VmxControls.ActivateSecondaryControls);
            Assert.Equal(0x2u, VmxControls.EnableEpt);
            Assert.Equal(0x20u, VmxControls.EnableVpid);
            Assert.Equal(0x80u, VmxControls.UnrestrictedGuest);
            Assert.Equal(0x40u, VmxControls.ActivateVmxPreemptionTimer);
            Assert.Equal(0x200u, VmxControls.HostAddressSpaceSize);
            Assert.Equal(0x8000u, VmxControls.AcknowledgeInterruptOnExit);
            Assert.Equal(0x40_0000u, VmxControls.SaveVmxPreemptionTimerValue);
            Assert.Equal(0x200u, VmxControls.Ia32eModeGuest);
            Assert.Equal(0x8000u, VmxControls.EntryLoadIa32Efer);
        }

        [Fact]
        public void FieldEncodingsFollowTheEncodingScheme()
        {
            var seen = new Dictionary<uint, string>();
            foreach (FieldInfo field in typeof(VmcsField).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                uint encoding = (uint)field.GetRawConstantValue();
                string name = field.Name;
                Assert.True(seen.TryAdd(encoding, name), $"{name} repeats {seen.GetValueOrDefault(encoding)}");
                Assert.Equal(0u, encoding & 1);            // full access, not the high half
                Assert.Equal(0u, encoding & 0xFFFF_9000);  // bits 31:15 and 12 reserved
                uint type = (encoding >> 10) & 3;
                uint width = (encoding >> 13) & 3;
                if (name.StartsWith("Host"))
                    Assert.True(type == 3, name);
                else if (name.StartsWith("Guest") && name != "GuestPhysicalAddress" && name != "GuestLinearAddress")
                    Assert.True(type == 2, name);
                if (name.EndsWith("Selector") || name == "Vpid")
                    Assert.True(width == 0, name);
                if (name.EndsWith("Limit") || name.EndsWith("AccessRights"))
                    Assert.True(width == 2, name);
                if (name.EndsWith("Base") || name.StartsWith("GuestCr") || name.StartsWith("HostCr"))
                    Assert.True(width == 3, name);
            }
            Assert.True(seen.Count > 120);
            Assert.Equal(0x201Au, VmcsField.EptPointer);
            Assert.Equal(0x4402u, VmcsField.ExitReason);
            Assert.Equal(0x681Eu, VmcsField.GuestRip);
            Assert.Equal(0x6C16u, VmcsField.HostRip);
            Assert.Equal(0x2800u, VmcsField.VmcsLinkPointer);
            Assert.Equal(0x482Eu, VmcsField.VmxPreemptionTimerValue);
        }

        [Fact]
        public void AccessRightsMatchDescriptors()
        {
            Assert.Equal(0x9Bu, SegmentAccessRights.RealModeCode);
            Assert.Equal(0x93u, SegmentAccessRights.RealModeData);
            Assert.Equal(0xC09Bu, SegmentAccessRights.FlatCode32);
            Assert.Equal(0xC093u, SegmentAccessRights.FlatData32);
            Assert.Equal(0xA09Bu, SegmentAccessRights.Code64);
            Assert.Equal(0x8Bu, SegmentAccessRights.BusyTss);
            Assert.Equal(0xA09Bu, SegmentAccessRights.FromDescriptor(0x00AF9B000000FFFFUL));
            Assert.Equal(0xC093u, SegmentAccessRights.FromDescriptor(0x00CF93000000FFFFUL));
            Assert.Equal(3u, SegmentAccessRights.Dpl(0xF3));
            Assert.Equal(11u, SegmentAccessRights.Type(0x8B));
            Assert.True(SegmentAccessRights.IsUnusable(0x10000));
        }

        [Fact]
        public void SegmentFromDescriptorScalesLimitAndSplitsBase()
        {
            var seg = GuestSegment.FromDescriptor(0x10, 0x12CF93345678FFFFUL);
            Assert.Equal(0x12345678UL, seg.Base);
            Assert.Equal(0xFFFFFFFFu, seg.Limit);
            Assert.Equal(0xC093u, seg.AccessRights);
            var tss = GuestSegment.FromDescriptor(0x18, 0x00008B0010800067UL);
            Assert.Equal(0x1080UL, tss.Base);
            Assert.Equal(0x67u, tss.Limit);
        }
    }
}
