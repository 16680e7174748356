using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// How a request went: the status byte of the response and, when it is not Ok, the host's short explanation (a
    /// literal or a string the host keeps; never built per request).
    /// </summary>
    public struct Reply
    {
        public readonly ErrorCode Status;
        public readonly string Detail;

        public Reply(ErrorCode status, string detail)
        {
            Status = status;
            Detail = detail;
        }

        public static Reply Ok { get { return new Reply(ErrorCode.Ok, null); } }

        public bool IsOk { get { return Status == ErrorCode.Ok; } }
    }
}
