using System;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>
    /// Pipelined transfers: a window of chunk requests goes out before their answers are read, so a transfer moves at
    /// the line's rate instead of waiting a round trip per chunk. The host answers in order and stores a chunk only at
    /// its next offset, so the last answer of a window says where the next window starts (go-back-N after a loss).
    /// </summary>
    public sealed partial class HvClient
    {
        private int _transferWindow = 8;

        /// <summary>Transfer chunks in flight at once (1 = stop-and-wait; at most 64).</summary>
        public int TransferWindow
        {
            get { return _transferWindow; }
            set { _transferWindow = Math.Max(1, Math.Min(64, value)); }
        }

        /// <summary>Bytes one window carries.</summary>
        internal int WindowBytes => _transferWindow * ProtocolInfo.MaxTransferChunk;

        /// <summary>
        /// Writes every message's request without waiting, then reads the answers in the same order. Each answer has
        /// the call's timeout from the one before it. Every answer is read before the first error is raised, so the
        /// session stays in step. <paramref name="issued"/> counts the requests written (also when a failure cuts the window).
        /// </summary>
        internal void CallWindow(Message[] messages, int count, int timeoutMs, ref int issued)
        {
            Enter(timeoutMs);
            try
            {
                if (!IsConnected)
                {
                    throw new HvConnectionException("Not connected to " + _transport.Description + "; call Reconnect().");
                }
                uint[] ids = new uint[count];
                for (int i = 0; i < count; i++)
                {
                    ids[i] = Issue(messages[i]);
                    issued++;
                }
                HvProtocolException error = null;
                for (int i = 0; i < count; i++)
                {
                    try
                    {
                        Collect(messages[i], ids[i], Deadline(timeoutMs), timeoutMs);
                    }
                    catch (HvProtocolException e)
                    {
                        error = error ?? e;
                    }
                }
                if (error != null)
                {
                    throw error;
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// Sends data[offset ..+count) (at most a window) as the transfer's bytes from <paramref name="at"/>, one chunk per
        /// message, in one window; returns the offset the host wants next (its answer to the last chunk). The data bytes
        /// written are added to <paramref name="bytesSent"/>, also when a failure cuts the window.
        /// </summary>
        internal ulong SendWindow(ChunkRequest[] messages, uint transferId, ulong at, byte[] data, int offset, int count, ref ulong bytesSent)
        {
            int k = 0;
            for (int done = 0; done < count; done += ProtocolInfo.MaxTransferChunk, k++)
            {
                ChunkRequest m = messages[k];
                m.TransferId = transferId;
                m.Offset = at + (ulong)done;
                m.Data = data;
                m.DataOffset = offset + done;
                m.DataCount = Math.Min(ProtocolInfo.MaxTransferChunk, count - done);
            }
            int issued = 0;
            try
            {
                CallWindow(messages, k, 0, ref issued);
            }
            finally
            {
                for (int i = 0; i < issued; i++)
                {
                    bytesSent += (ulong)messages[i].DataCount;
                }
            }
            return messages[k - 1].NextOffset;
        }

        /// <summary>Reads a window of export bytes from <paramref name="at"/> (up to <paramref name="total"/>); the answers are in the messages.</summary>
        internal int ReadWindow(ReadExportMessage[] messages, uint exportId, ulong at, ulong total)
        {
            int k = 0;
            for (ulong position = at; k < messages.Length && position < total; position += ProtocolInfo.MaxTransferChunk, k++)
            {
                messages[k].ExportId = exportId;
                messages[k].Offset = position;
                messages[k].MaxBytes = (int)Math.Min((ulong)ProtocolInfo.MaxTransferChunk, total - position);
            }
            int issued = 0;
            CallWindow(messages, k, 0, ref issued);
            return k;
        }

        private T[] WindowOf<T>() where T : Message, new()
        {
            T[] messages = new T[_transferWindow];
            for (int i = 0; i < messages.Length; i++)
            {
                messages[i] = new T();
            }
            return messages;
        }
    }
}
