using System;
using System.Text;
using Hv.Emulators;
using Hv.Protocol.Client;

namespace Hv.SystemTests
{
    /// <summary>A VM's console read incrementally; Text[i] is the byte at stream offset i.</summary>
    internal sealed class ConsoleReader
    {
        private readonly RunningHost _host;
        private readonly HvClient _client;
        private readonly uint _id;
        private readonly StringBuilder _text = new StringBuilder();

        public ConsoleReader(RunningHost host, HvClient client, uint id) { _host = host; _client = client; _id = id; }

        public string Text => _text.ToString();

        /// <summary>Reads until nothing new is there (use while the VM is paused), and returns the end offset.</summary>
        public int CatchUp()
        {
            while (ReadOnce() > 0) { }
            return _text.Length;
        }

        /// <summary>Reads until <paramref name="marker"/> appears at or after <paramref name="from"/>; returns its index.</summary>
        public int WaitFor(string marker, int from)
        {
            int at = -1;
            bool Seen()
            {
                at = _text.ToString().IndexOf(marker, from, StringComparison.Ordinal);
                if (at < 0) ReadOnce();
                return at >= 0;
            }
            _host.WaitUntil(Seen, TimeSpan.FromSeconds(60), $"\"{marker}\" after {from} in the console:\n{Text}\n");
            return at;
        }

        /// <summary>The text from <paramref name="from"/> through the end of the <paramref name="count"/>-th line after it, waited for.</summary>
        public string Lines(int from, int count)
        {
            int end = from;
            for (int line = 0; line < count; line++) end = WaitFor("\n", end) + 1;
            return Text.Substring(from, end - from);
        }

        /// <summary>Reads what the VM printed since the last read (one request); returns how many bytes came.</summary>
        public int ReadOnce()
        {
            ConsoleChunk chunk = _client.ReadConsole(_id, (ulong)_text.Length);
            Assert.False(chunk.Dropped, "the console ring wrapped before it was read");
            _text.Append(Encoding.ASCII.GetString(chunk.Data));
            return chunk.Data.Length;
        }
    }
}
