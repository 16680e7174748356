using System;

namespace Hv.Core.Networking
{
    /// <summary>
    /// One port of a <see cref="VirtualSwitch"/>, owned by one VM's adapter: its owner, the adapter's MAC (the
    /// only source address the port accepts), a bounded receive queue and counters. Port objects are kept and
    /// reused by their switch after a disconnect, so connecting allocates only the first time a slot is used.
    /// </summary>
    public sealed class SwitchPort
    {
        private readonly VirtualSwitch _switch;
        private readonly int _index;
        private readonly FrameQueue _queue;

        internal SwitchPort(VirtualSwitch owner, int index, int queueFrames)
        {
            _switch = owner;
            _index = index;
            _queue = new FrameQueue(queueFrames);
        }

        public VirtualSwitch Switch { get { return _switch; } }
        public int Index { get { return _index; } }
        public bool Connected { get; private set; }
        /// <summary>Whoever the port belongs to (the VM's ID).</summary>
        public ulong Owner { get; private set; }
        public ulong Mac { get; private set; }
        public PortListener Listener { get; set; }

        /// <summary>Frames waiting to be taken by the adapter.</summary>
        public int PendingFrames { get { return _queue.Count; } }

        public ulong SentFrames { get; private set; }
        public ulong SentBytes { get; private set; }
        public ulong ReceivedFrames { get; private set; }
        public ulong ReceivedBytes { get; private set; }
        /// <summary>Frames this port sent with a source MAC other than its own.</summary>
        public ulong DroppedSpoofed { get; private set; }
        /// <summary>Frames this port sent that were too short or too long.</summary>
        public ulong DroppedMalformed { get; private set; }
        /// <summary>Frames for this port dropped because its queue was full (the guest was not reading).</summary>
        public ulong DroppedQueueFull { get; private set; }

        /// <summary>The oldest waiting frame (valid until <see cref="DequeueFrame"/>), or an empty span.</summary>
        public ReadOnlySpan<byte> PeekFrame()
        {
            return _queue.Peek();
        }

        public void DequeueFrame()
        {
            _queue.Dequeue();
        }

        /// <summary>Sends a frame into the switch from this port (same as <see cref="VirtualSwitch.Send"/>).</summary>
        public ForwardResult Send(ReadOnlySpan<byte> frame)
        {
            return _switch.Send(this, frame);
        }

        public void ClearCounters()
        {
            SentFrames = SentBytes = ReceivedFrames = ReceivedBytes = 0;
            DroppedSpoofed = DroppedMalformed = DroppedQueueFull = 0;
        }

        /// <summary>Gives back the queue and the port (its switch was removed).</summary>
        internal void Free()
        {
            _queue.Free();
            Owned.Free(this);
        }

        internal void Attach(ulong owner, ulong mac)
        {
            Owner = owner;
            Mac = mac;
            Connected = true;
            Listener = null;
            _queue.Clear();
            ClearCounters();
        }

        internal void Detach()
        {
            Connected = false;
            Listener = null;
            _queue.Clear();
        }

        internal void CountSent(int length)
        {
            SentFrames++;
            SentBytes += (ulong)length;
        }

        internal void CountSpoofed()
        {
            DroppedSpoofed++;
        }

        internal void CountMalformed()
        {
            DroppedMalformed++;
        }

        /// <summary>Queues a frame for this port's adapter and tells its listener; counts a drop when the queue is full.</summary>
        internal void Deliver(ReadOnlySpan<byte> frame)
        {
            if (!_queue.Enqueue(frame))
            {
                DroppedQueueFull++;
                return;
            }
            ReceivedFrames++;
            ReceivedBytes += (ulong)frame.Length;
            if (Listener != null)
            {
                Listener.FramesArrived(this);
            }
        }
    }
}
