using System;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>Base of the exceptions <see cref="HvClient"/> raises.</summary>
    public abstract class HvException : Exception
    {
        protected HvException(string message, Exception inner) : base(message, inner)
        {
        }
    }

    /// <summary>The host answered with an error code (or refused the frame: <see cref="ErrorCode.AuthFailed"/>).</summary>
    public sealed class HvProtocolException : HvException
    {
        public HvProtocolException(ErrorCode code, Opcode operation, string message)
            : base(message, null)
        {
            Code = code;
            Operation = operation;
        }

        public ErrorCode Code { get; }

        public Opcode Operation { get; }

        /// <summary>The host's own explanation, if it sent one.</summary>
        public string Detail { get; internal set; }

        /// <summary>A stable id for the error, e.g. "Hv.NotFound" (PowerShell ErrorRecord ids).</summary>
        public string ErrorId => "Hv." + Code;

        internal static string Describe(ErrorCode code)
        {
            switch (code)
            {
                case ErrorCode.AuthFailed: return "authentication failed (wrong key, or a tampered, replayed or out-of-order frame); nothing was executed";
                case ErrorCode.NotFound: return "not found";
                case ErrorCode.InvalidState: return "the VM is not in a state that allows this operation";
                case ErrorCode.InvalidArgument: return "invalid argument";
                case ErrorCode.ResourceUnavailable: return "not enough resources on the host";
                case ErrorCode.Unsupported: return "not supported by the host";
                case ErrorCode.TooLarge: return "over a size limit of the protocol";
                case ErrorCode.Busy: return "the host is busy; try again";
                case ErrorCode.Internal: return "internal error in the host";
                case ErrorCode.AlreadyExists: return "already exists";
                case ErrorCode.Timeout: return "timed out on the host";
                case ErrorCode.ChecksumMismatch: return "the data does not match its checksum";
                default: return "error " + (int)code;
            }
        }
    }

    /// <summary>The transport failed, closed, or no answer came in time.</summary>
    public sealed class HvConnectionException : HvException
    {
        public HvConnectionException(string message, bool isTimeout = false, Exception inner = null)
            : base(message, inner)
        {
            IsTimeout = isTimeout;
        }

        public bool IsTimeout { get; }
    }
}
