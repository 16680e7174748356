using System;
using Hv.Core.Memory;
using Hv.Core.Net;

namespace Hv.Core.Drivers.E1000
{
    public enum E1000StartStatus
    {
        Ok,
        ResetTimeout,
        NoMacAddress,
        NoMemory,
    }

    /// <summary>
    /// The driver for the Intel 82540EM: reset, Ethernet address from the EEPROM, one receive and one transmit ring of
    /// legacy descriptors with a 2 KiB buffer each, polled (every interrupt masked). Register access goes through
    /// <see cref="DeviceRegisters"/> and rings and buffers come from a <see cref="PageSource"/>, so this logic runs the
    /// same against the real device in the image and against a model of it in the tests.
    /// </summary>
    public sealed class E1000Driver : HostNic
    {
        public const int ReceiveDescriptors = 32;
        public const int TransmitDescriptors = 32;
        private const int ResetPolls = 100000;
        private const int EepromPolls = 100000;

        private readonly DeviceRegisters _registers;
        private readonly PageSource _pages;
        private readonly ulong _mac;
        private readonly ulong _receiveRing;
        private readonly ulong _transmitRing;
        private readonly DmaBuffers _receiveBuffers;
        private readonly DmaBuffers _transmitBuffers;
        private int _receiveNext;     // the next descriptor the device fills
        private bool _discarding;     // inside a frame spread over several descriptors: dropped up to its last one
        private int _transmitTail;    // the next free transmit descriptor
        private int _transmitClean;   // the oldest descriptor still in flight

        private E1000Driver(DeviceRegisters registers, PageSource pages, ulong mac, ulong receiveRing, ulong transmitRing,
                            DmaBuffers receiveBuffers, DmaBuffers transmitBuffers)
        {
            _registers = registers;
            _pages = pages;
            _mac = mac;
            _receiveRing = receiveRing;
            _transmitRing = transmitRing;
            _receiveBuffers = receiveBuffers;
            _transmitBuffers = transmitBuffers;
        }

        public override ulong MacAddress { get { return _mac; } }

        public override string Model { get { return "e1000 82540EM"; } }

        public override bool LinkUp { get { return (_registers.Read32(E1000Registers.Status) & E1000Registers.StatusLinkUp) != 0; } }

        /// <summary>Resets the device and starts receiving and transmitting; null (and why) when it cannot.</summary>
        public static E1000Driver Start(DeviceRegisters registers, PageSource pages, out E1000StartStatus status)
        {
            if (!Reset(registers))
            {
                status = E1000StartStatus.ResetTimeout;
                return null;
            }
            ulong mac;
            if (!ReadEepromMac(registers, out mac) && !ReadReceiveAddress(registers, out mac))
            {
                status = E1000StartStatus.NoMacAddress;
                return null;
            }
            ulong receiveRing = pages.AllocatePage();
            ulong transmitRing = pages.AllocatePage();
            DmaBuffers receiveBuffers = DmaBuffers.Allocate(pages, ReceiveDescriptors, E1000Registers.ReceiveBufferBytes);
            DmaBuffers transmitBuffers = DmaBuffers.Allocate(pages, TransmitDescriptors, E1000Registers.ReceiveBufferBytes);
            if (receiveRing == 0 || transmitRing == 0 || receiveBuffers == null || transmitBuffers == null)
            {
                status = E1000StartStatus.NoMemory;
                return null;
            }
            var driver = new E1000Driver(registers, pages, mac, receiveRing, transmitRing, receiveBuffers, transmitBuffers);
            driver.SetAddressFilters();
            driver.StartReceive();
            driver.StartTransmit();
            status = E1000StartStatus.Ok;
            return driver;
        }

        // SDM §14.3 and §14.1: mask interrupts, global reset (RST clears itself), mask again, then let the MAC follow the
        // PHY's link with automatic speed detection. (The emulators keep registers over RST, so every register the
        // driver relies on is written below, not assumed from reset.)
        private static bool Reset(DeviceRegisters r)
        {
            r.Write32(E1000Registers.Imc, E1000Registers.InterruptsAll);
            r.Write32(E1000Registers.Ctrl, r.Read32(E1000Registers.Ctrl) | E1000Registers.CtrlReset);
            int polls = 0;
            while ((r.Read32(E1000Registers.Ctrl) & E1000Registers.CtrlReset) != 0)
            {
                if (++polls == ResetPolls)
                {
                    return false;
                }
            }
            r.Write32(E1000Registers.Imc, E1000Registers.InterruptsAll);
            uint ctrl = r.Read32(E1000Registers.Ctrl) | E1000Registers.CtrlSetLinkUp | E1000Registers.CtrlAutoSpeedDetect;
            ctrl &= ~(E1000Registers.CtrlLinkReset | E1000Registers.CtrlPhyReset | E1000Registers.CtrlInvertLossOfSignal
                      | E1000Registers.CtrlVlanMode);
            r.Write32(E1000Registers.Ctrl, ctrl);
            r.Read32(E1000Registers.Icr); // clears any cause left over
            return true;
        }

        // The permanent address is EEPROM words 0-2, low byte first (SDM §5.6.1), read through EERD (§13.4.4).
        private static bool ReadEepromMac(DeviceRegisters r, out ulong mac)
        {
            mac = 0;
            for (int word = 0; word < E1000Registers.EepromMacWords; word++)
            {
                r.Write32(E1000Registers.Eerd, E1000Registers.EerdStart | ((uint)word << E1000Registers.EerdAddressShift));
                uint value = 0;
                int polls = 0;
                while (((value = r.Read32(E1000Registers.Eerd)) & E1000Registers.EerdDone) == 0)
                {
                    if (++polls == EepromPolls)
                    {
                        return false;
                    }
                }
                uint data = value >> E1000Registers.EerdDataShift;
                mac = (mac << 16) | ((data & 0xFF) << 8) | (data >> 8);
            }
            return IsUsableMac(mac);
        }

        // Without an EEPROM answer: what the device loaded into receive address 0, if marked valid.
        private static bool ReadReceiveAddress(DeviceRegisters r, out ulong mac)
        {
            uint low = r.Read32(E1000Registers.Ral0);
            uint high = r.Read32(E1000Registers.Rah0);
            mac = 0;
            for (int i = 0; i < 4; i++)
            {
                mac = (mac << 8) | ((low >> (8 * i)) & 0xFF);
            }
            mac = (mac << 8) | (high & 0xFF);
            mac = (mac << 8) | ((high >> 8) & 0xFF);
            return (high & E1000Registers.RahAddressValid) != 0 && IsUsableMac(mac);
        }

        private static bool IsUsableMac(ulong mac)
        {
            return mac != 0 && !Ethernet.IsGroup(mac);
        }

        // Receive address 0 is ours, the other 15 unused; no multicast hash bits (SDM §14.4).
        private void SetAddressFilters()
        {
            uint low = 0;
            for (int i = 0; i < 4; i++)
            {
                low |= (uint)((_mac >> (40 - 8 * i)) & 0xFF) << (8 * i);
            }
            uint high = (uint)((_mac >> 8) & 0xFF) | ((uint)(_mac & 0xFF) << 8);
            _registers.Write32(E1000Registers.Ral0, low);
            _registers.Write32(E1000Registers.Rah0, high | E1000Registers.RahAddressValid);
            for (int i = 1; i < E1000Registers.ReceiveAddresses; i++)
            {
                _registers.Write32(E1000Registers.Rah0 + 8 * i, 0);
                _registers.Write32(E1000Registers.Ral0 + 8 * i, 0);
            }
            for (int i = 0; i < E1000Registers.MtaEntries; i++)
            {
                _registers.Write32(E1000Registers.Mta + 4 * i, 0);
            }
        }

        // SDM §14.4: ring base and length, head 0, tail at the last descriptor (the device owns all but one), no receive
        // delay, then RCTL: enabled, broadcasts accepted, 2048-byte buffers, CRC stripped; no long or bad packets.
        private void StartReceive()
        {
            Span<byte> ring = _pages.Page(_receiveRing);
            for (int i = 0; i < ReceiveDescriptors; i++)
            {
                E1000Descriptors.WriteReceive(ring, i, _receiveBuffers.Address(i));
            }
            _registers.Write32(E1000Registers.Rctl, 0);
            _registers.Write32(E1000Registers.Rdbal, (uint)_receiveRing);
            _registers.Write32(E1000Registers.Rdbah, (uint)(_receiveRing >> 32));
            _registers.Write32(E1000Registers.Rdlen, ReceiveDescriptors * E1000Descriptors.Bytes);
            _registers.Write32(E1000Registers.Rdh, 0);
            _registers.Write32(E1000Registers.Rdt, ReceiveDescriptors - 1);
            _registers.Write32(E1000Registers.Rdtr, 0);
            _receiveNext = 0;
            _discarding = false;
            _registers.Write32(E1000Registers.Rctl, E1000Registers.RctlEnable | E1000Registers.RctlBroadcastAccept | E1000Registers.RctlStripCrc);
        }

        // SDM §14.5: ring base and length, head = tail = 0 (empty), TCTL enabled with padding of short frames, the
        // recommended collision values, and TIPG for copper.
        private void StartTransmit()
        {
            _registers.Write32(E1000Registers.Tctl, 0);
            _registers.Write32(E1000Registers.Tdbal, (uint)_transmitRing);
            _registers.Write32(E1000Registers.Tdbah, (uint)(_transmitRing >> 32));
            _registers.Write32(E1000Registers.Tdlen, TransmitDescriptors * E1000Descriptors.Bytes);
            _registers.Write32(E1000Registers.Tdh, 0);
            _registers.Write32(E1000Registers.Tdt, 0);
            _transmitTail = 0;
            _transmitClean = 0;
            _registers.Write32(E1000Registers.Tctl, E1000Registers.TctlEnable | E1000Registers.TctlPadShortPackets
                               | (E1000Registers.TctlCollisionThreshold << E1000Registers.TctlCollisionThresholdShift)
                               | (E1000Registers.TctlCollisionDistance << E1000Registers.TctlCollisionDistanceShift));
            _registers.Write32(E1000Registers.Tipg, E1000Registers.TipgCopper);
        }

        public override int Poll(NetStack stack, int budget)
        {
            Span<byte> ring = _pages.Page(_receiveRing);
            int received = 0;
            int returned = -1;
            while (received < budget)
            {
                // DD is written back last (SDM §3.2.3), so the rest of the descriptor is read only once it is seen.
                byte status = E1000Descriptors.ReceiveStatus(ring, _receiveNext);
                if ((status & E1000Descriptors.RxStatusDone) == 0)
                {
                    break;
                }
                bool last = (status & E1000Descriptors.RxStatusEndOfPacket) != 0;
                int length = E1000Descriptors.ReceiveLength(ring, _receiveNext);
                bool bad = (E1000Descriptors.ReceiveErrors(ring, _receiveNext) & E1000Descriptors.RxFrameErrors) != 0;
                if (_discarding || !last || bad || length > _receiveBuffers.BufferBytes)
                {
                    Counters.ReceiveErrors++;
                    _discarding = !last;
                }
                else
                {
                    Counters.FramesReceived++;
                    received++;
                    stack.Receive(_receiveBuffers.Span(_receiveNext).Slice(0, length));
                }
                E1000Descriptors.ClearReceive(ring, _receiveNext);
                returned = _receiveNext;
                _receiveNext = Next(_receiveNext, ReceiveDescriptors);
            }
            // The processed descriptor becomes the one the device must not fill; the one it replaces goes back to it.
            if (returned >= 0)
            {
                _registers.Write32(E1000Registers.Rdt, (uint)returned);
            }
            ReclaimTransmitted();
            return received;
        }

        public override bool Transmit(ReadOnlySpan<byte> frame)
        {
            int next = Next(_transmitTail, TransmitDescriptors);
            if (next == _transmitClean)
            {
                ReclaimTransmitted();
            }
            if (next == _transmitClean || frame.Length > _transmitBuffers.BufferBytes)
            {
                Counters.TransmitBusy++;
                return false;
            }
            Span<byte> buffer = _transmitBuffers.Span(_transmitTail);
            for (int i = 0; i < frame.Length; i++)
            {
                buffer[i] = frame[i];
            }
            E1000Descriptors.WriteTransmit(_pages.Page(_transmitRing), _transmitTail, _transmitBuffers.Address(_transmitTail), frame.Length);
            _transmitTail = next;
            _registers.Write32(E1000Registers.Tdt, (uint)_transmitTail);
            Counters.FramesSent++;
            return true;
        }

        // Descriptors carry RS, so the device sets DD on each once it has sent it (SDM §3.3.3.2).
        private void ReclaimTransmitted()
        {
            Span<byte> ring = _pages.Page(_transmitRing);
            while (_transmitClean != _transmitTail && E1000Descriptors.TransmitDone(ring, _transmitClean))
            {
                _transmitClean = Next(_transmitClean, TransmitDescriptors);
            }
        }

        private static int Next(int index, int count)
        {
            return index + 1 == count ? 0 : index + 1;
        }
    }
}
