using System;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell
{
    /// <summary>
    /// ErrorRecords with stable ids ("Hv.VmNotFound", "Hv.AuthFailed", ...) and the category a script can test
    /// ($_.CategoryInfo.Category): ObjectNotFound, AuthenticationError, ConnectionError, InvalidArgument,
    /// ResourceUnavailable, InvalidOperation (wrong VM state), OperationTimeout, ResourceExists, NotImplemented (the host
    /// does not support the operation), InvalidData (checksum mismatch).
    /// </summary>
    internal static class HvErrors
    {
        public static ErrorRecord From(Exception e, object target)
        {
            if (e is HvProtocolException p)
            {
                return new ErrorRecord(e, p.ErrorId, CategoryOf(p.Code), target);
            }
            if (e is HvConnectionException c)
            {
                return new ErrorRecord(e, c.IsTimeout ? "Hv.Timeout" : "Hv.ConnectionFailed", ErrorCategory.ConnectionError, target);
            }
            if (e is ArgumentException)
            {
                return new ErrorRecord(e, "Hv.InvalidArgument", ErrorCategory.InvalidArgument, target);
            }
            if (e is ObjectDisposedException)
            {
                return new ErrorRecord(e, "Hv.ConnectionClosed", ErrorCategory.ConnectionError, target);
            }
            if (e is System.IO.FileNotFoundException || e is System.IO.DirectoryNotFoundException)
            {
                return new ErrorRecord(e, "Hv.PathNotFound", ErrorCategory.ObjectNotFound, target);
            }
            if (e is UnauthorizedAccessException)
            {
                return new ErrorRecord(e, "Hv.FileAccessDenied", ErrorCategory.PermissionDenied, target);
            }
            if (e is System.IO.IOException)
            {
                return new ErrorRecord(e, "Hv.FileError", ErrorCategory.WriteError, target);
            }
            return new ErrorRecord(e, "Hv.Unexpected", ErrorCategory.NotSpecified, target);
        }

        public static ErrorRecord Make(string id, ErrorCategory category, string message, object target, Exception inner = null)
        {
            return new ErrorRecord(new HvCmdletException(message, inner), id, category, target);
        }

        public static ErrorCategory CategoryOf(ErrorCode code)
        {
            switch (code)
            {
                case ErrorCode.NotFound: return ErrorCategory.ObjectNotFound;
                case ErrorCode.AuthFailed: return ErrorCategory.AuthenticationError;
                case ErrorCode.InvalidArgument:
                case ErrorCode.TooLarge: return ErrorCategory.InvalidArgument;
                case ErrorCode.ResourceUnavailable:
                case ErrorCode.Busy: return ErrorCategory.ResourceUnavailable;
                case ErrorCode.InvalidState: return ErrorCategory.InvalidOperation;
                case ErrorCode.AlreadyExists: return ErrorCategory.ResourceExists;
                case ErrorCode.Unsupported: return ErrorCategory.NotImplemented;
                case ErrorCode.Timeout: return ErrorCategory.OperationTimeout;
                case ErrorCode.ChecksumMismatch: return ErrorCategory.InvalidData;
                default: return ErrorCategory.NotSpecified;
            }
        }

        public static bool IsCode(Exception e, ErrorCode code) => e is HvProtocolException p && p.Code == code;
    }

    /// <summary>An error the module itself detects (not found by name, wait timed out, ...).</summary>
    public sealed class HvCmdletException : Exception
    {
        public HvCmdletException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }

    /// <summary>Carries a ready ErrorRecord out of a worker (the fan-out writes it as is).</summary>
    internal sealed class HvErrorRecordException : Exception
    {
        public HvErrorRecordException(ErrorRecord record) : base(record.Exception?.Message)
        {
            Record = record;
        }

        public ErrorRecord Record { get; }
    }
}
