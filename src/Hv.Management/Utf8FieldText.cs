using Hv.Core.Text;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// Text written into a protocol string field, so a response's text (a VM's stop detail) is made where it is sent
    /// without allocating. Characters outside ASCII become '?'; text past the field's capacity is dropped.
    /// </summary>
    internal sealed class Utf8FieldText : TextSink
    {
        private Utf8Field _field;

        /// <summary>Empties <paramref name="field"/> and writes into it from now on.</summary>
        public void Reset(Utf8Field field)
        {
            _field = field;
            field.Clear();
        }

        public override void Write(char c)
        {
            int length = _field.Length;
            if (length == _field.Capacity) return;
            _field.Bytes[length] = c < 128 ? (byte)c : (byte)'?';
            _field.SetLength(length + 1);
        }
    }
}
