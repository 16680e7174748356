using System;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>Where a template upload or import stands (BeginTemplateUpload).</summary>
    public sealed class TransferStart
    {
        public uint Id { get; set; }
        /// <summary>The offset the host wants next (above 0 when an earlier upload is resumed).</summary>
        public ulong NextOffset { get; set; }
        public ulong TotalBytes { get; set; }
    }

    /// <summary>How far the host has prepared an export's image (<see cref="HvClient.GetExport"/>).</summary>
    public sealed class ExportPreparation
    {
        /// <summary>The image's size once it is ready; 0 while it is being prepared.</summary>
        public ulong TotalBytes { get; set; }
        public ulong DonePages { get; set; }
        public ulong WorkPages { get; set; }
    }

    /// <summary>What <see cref="HvClient.UploadTemplate"/> did.</summary>
    public sealed class TemplateUploadResult
    {
        public string Name { get; set; }
        public ulong TotalBytes { get; set; }
        /// <summary>Where the upload started: 0 for a new one, the host's offset when an earlier one was resumed.</summary>
        public ulong ResumedFrom { get; set; }
        /// <summary>Data bytes sent by this call (retransmissions included).</summary>
        public ulong BytesSent { get; set; }
        /// <summary>Connection failures recovered from during the upload.</summary>
        public int Retries { get; set; }
        public byte[] Sha256 { get; set; }
    }

    public sealed class ConsoleChunk
    {
        public byte[] Data { get; set; }
        /// <summary>Pass as the next fromOffset.</summary>
        public ulong NextOffset { get; set; }
        /// <summary>Output before the first byte of Data was lost (the host's buffer wrapped).</summary>
        public bool Dropped { get; set; }
        /// <summary>Stream offset of Data[0].</summary>
        public ulong StartOffset => NextOffset - (ulong)(Data == null ? 0 : Data.Length);
    }
}
