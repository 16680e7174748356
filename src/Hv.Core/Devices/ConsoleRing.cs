using System;

namespace Hv.Core.Devices
{
    /// <summary>
    /// A VM's console: an output ring of everything the guest printed and a queue of input waiting for it.
    ///
    /// Output bytes are numbered by a 64-bit absolute offset that only grows, so several readers (the
    /// management server streaming Get-HvVmConsole, a test harness) each keep their own position and ask
    /// "bytes from offset N". When the ring has wrapped past N the reader gets the oldest bytes still kept and
    /// learns how many it missed, instead of silently receiving garbage. Nothing allocates after construction.
    /// </summary>
    public sealed class ConsoleRing
    {
        private readonly byte[] _output;
        private ulong _outputEnd;

        private readonly byte[] _input;
        private int _inputHead;
        private int _inputCount;

        public ConsoleRing(int outputCapacity, int inputCapacity)
        {
            _output = new byte[outputCapacity < 1 ? 1 : outputCapacity];
            _input = new byte[inputCapacity < 1 ? 1 : inputCapacity];
        }

        /// <summary>Gives back both buffers and the ring (its VM is being removed).</summary>
        public void Free()
        {
            Owned.Free(_output);
            Owned.Free(_input);
            Owned.Free(this);
        }

        public int OutputCapacity { get { return _output.Length; } }

        /// <summary>Absolute offset one past the newest output byte = total bytes ever written.</summary>
        public ulong OutputEnd { get { return _outputEnd; } }

        /// <summary>Absolute offset of the oldest output byte still held.</summary>
        public ulong OutputStart
        {
            get { return _outputEnd > (ulong)_output.Length ? _outputEnd - (ulong)_output.Length : 0; }
        }

        public void WriteOutput(byte value)
        {
            _output[(int)(_outputEnd % (ulong)_output.Length)] = value;
            _outputEnd++;
        }

        public void WriteOutput(ReadOnlySpan<byte> bytes)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                WriteOutput(bytes[i]);
            }
        }

        /// <summary>
        /// Copies output starting at absolute offset <paramref name="from"/> into <paramref name="destination"/>
        /// and returns the byte count. <paramref name="start"/> receives the offset the copy actually began at:
        /// larger than <paramref name="from"/> when those bytes were overwritten (start - from were lost).
        /// The next call should use start + returned count. An offset beyond <see cref="OutputEnd"/> reads
        /// nothing and reports start = OutputEnd.
        /// </summary>
        public int ReadOutput(ulong from, Span<byte> destination, out ulong start)
        {
            ulong oldest = OutputStart;
            start = from < oldest ? oldest : from;
            if (start > _outputEnd)
            {
                start = _outputEnd;
            }
            ulong available = _outputEnd - start;
            int count = available < (ulong)destination.Length ? (int)available : destination.Length;
            for (int i = 0; i < count; i++)
            {
                destination[i] = _output[(int)((start + (ulong)i) % (ulong)_output.Length)];
            }
            return count;
        }

        public int InputCount { get { return _inputCount; } }
        public bool HasInput { get { return _inputCount > 0; } }

        /// <summary>Queues console input for the guest; returns how many bytes fit (the rest are refused, not overwritten).</summary>
        public int QueueInput(ReadOnlySpan<byte> bytes)
        {
            int accepted = 0;
            while (accepted < bytes.Length && _inputCount < _input.Length)
            {
                _input[(_inputHead + _inputCount) % _input.Length] = bytes[accepted];
                _inputCount++;
                accepted++;
            }
            return accepted;
        }

        /// <summary>Takes the oldest queued input byte; false when the queue is empty.</summary>
        public bool TakeInput(out byte value)
        {
            if (_inputCount == 0)
            {
                value = 0;
                return false;
            }
            value = _input[_inputHead];
            _inputHead = (_inputHead + 1) % _input.Length;
            _inputCount--;
            return true;
        }
    }
}
