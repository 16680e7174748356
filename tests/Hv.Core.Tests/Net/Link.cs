using System;
using System.Collections.Generic;
using Hv.Core.Net;

namespace Hv.Core.Tests.Net
{
    /// <summary>
    /// Two stacks joined by an in-memory Ethernet that loses, duplicates and reorders frames (seeded), in simulated
    /// time (one tick per microsecond). Each frame takes 100 us, plus up to 3 ms more when it is "reordered".
    /// </summary>
    internal sealed class Link
    {
        public static readonly uint AddressA = Ipv4Address.Make(10, 0, 0, 1);
        public static readonly uint AddressB = Ipv4Address.Make(10, 0, 0, 2);

        private sealed class End : NetworkDevice
        {
            private readonly Link _link;
            private readonly int _to;
            private readonly ulong _mac;

            public End(Link link, int to, ulong mac)
            {
                _link = link;
                _to = to;
                _mac = mac;
            }

            public override ulong MacAddress => _mac;

            public override bool Transmit(ReadOnlySpan<byte> frame)
            {
                _link.Put(_to, frame.ToArray());
                return true;
            }
        }

        public readonly NetStack A;
        public readonly NetStack B;
        private readonly Random _random;
        private readonly PriorityQueue<(int To, byte[] Frame), (ulong At, long Order)> _inFlight = new();
        private long _order;
        public double Loss;
        public double Duplicate;
        public double Reorder;
        public ulong Now = 1;
        public long Delivered;
        public long Lost;

        public Link(int seed, NetConfig config = null, double loss = 0, double duplicate = 0, double reorder = 0)
        {
            _random = new Random(seed);
            Loss = loss;
            Duplicate = duplicate;
            Reorder = reorder;
            A = new NetStack(new End(this, 1, 0x020000000A01), config ?? new NetConfig(), 1000, new byte[] { 1, (byte)seed, 3, 4, 5, 6, 7, 8 });
            B = new NetStack(new End(this, 0, 0x020000000B02), config ?? new NetConfig(), 1000, new byte[] { 2, (byte)seed, 3, 4, 5, 6, 7, 8 });
            A.ConfigureStatic(AddressA, 24, 0);
            B.ConfigureStatic(AddressB, 24, 0);
        }

        private void Put(int to, byte[] frame)
        {
            if (_random.NextDouble() < Loss)
            {
                Lost++;
                return;
            }
            int copies = _random.NextDouble() < Duplicate ? 2 : 1;
            for (int i = 0; i < copies; i++)
            {
                ulong delay = 100 + (_random.NextDouble() < Reorder ? (ulong)_random.Next(0, 3000) : 0);
                _inFlight.Enqueue((to, frame), (Now + delay, _order++));
            }
        }

        /// <summary>Moves time to the next frame (at most 10 ms on), delivers what is due, runs both stacks' timers.</summary>
        public void Step()
        {
            ulong next = Now + 10_000;
            if (_inFlight.TryPeek(out _, out var due) && due.At < next)
            {
                next = due.At;
            }
            Now = next;
            while (_inFlight.TryPeek(out var item, out due) && due.At <= Now)
            {
                _inFlight.Dequeue();
                (item.To == 0 ? A : B).Receive(item.Frame);
                Delivered++;
            }
            A.Poll(Now);
            B.Poll(Now);
        }

        /// <summary>Steps until done() or the simulated time limit; true if done.</summary>
        public bool RunUntil(Func<bool> done, ulong maxMicroseconds)
        {
            ulong end = Now + maxMicroseconds;
            while (!done())
            {
                if (Now > end)
                {
                    return false;
                }
                Step();
            }
            return true;
        }
    }
}
