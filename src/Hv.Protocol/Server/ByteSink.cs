namespace Hv.Protocol.Server
{
    /// <summary>Where the server's encoded frames go (the UART, a TCP connection, a test buffer).</summary>
    public abstract class ByteSink
    {
        /// <summary>Writes all the bytes; the buffer is reused after the call returns.</summary>
        public abstract void Write(byte[] buffer, int offset, int count);
    }
}
