using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System
{
    // Pointer-based spans: the image has no moving GC, so a raw pointer into an array stays valid.
    // Only unmanaged element types are supported (PORTABLE.md).
    public readonly unsafe ref struct Span<T> where T : unmanaged
    {
        private readonly T* _pointer;
        private readonly int _length;

        public Span(void* pointer, int length) { _pointer = (T*)pointer; _length = length; }

        public Span(T[] array)
        {
            _length = array == null ? 0 : array.Length;
            fixed (T* p = array) _pointer = p;
        }

        public Span(T[] array, int start, int length)
        {
            if (array == null || start < 0 || length < 0 || start > array.Length - length) Panic.IndexOutOfRange();
            fixed (T* p = array) _pointer = p + start;
            _length = length;
        }

        public int Length => _length;
        public bool IsEmpty => _length == 0;
        internal T* Pointer => _pointer;

        public ref T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) Panic.IndexOutOfRange();
                return ref _pointer[index];
            }
        }

        public Span<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) Panic.IndexOutOfRange();
            return new Span<T>(_pointer + start, _length - start);
        }

        public Span<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start)) Panic.IndexOutOfRange();
            return new Span<T>(_pointer + start, length);
        }

        public void Clear()
        {
            for (int i = 0; i < _length; i++) _pointer[i] = default;
        }

        public void Fill(T value)
        {
            for (int i = 0; i < _length; i++) _pointer[i] = value;
        }

        /// <summary>Copies this span into the start of <paramref name="destination"/> (which must be as long): a bulk move.</summary>
        public void CopyTo(Span<T> destination) => ((ReadOnlySpan<T>)this).CopyTo(destination);

        public static implicit operator Span<T>(T[] array) => new Span<T>(array);
        public static implicit operator ReadOnlySpan<T>(Span<T> span) => new ReadOnlySpan<T>(span._pointer, span._length);
    }

    public readonly unsafe ref struct ReadOnlySpan<T> where T : unmanaged
    {
        private readonly T* _pointer;
        private readonly int _length;

        public ReadOnlySpan(void* pointer, int length) { _pointer = (T*)pointer; _length = length; }

        public ReadOnlySpan(T[] array)
        {
            _length = array == null ? 0 : array.Length;
            fixed (T* p = array) _pointer = p;
        }

        public ReadOnlySpan(T[] array, int start, int length)
        {
            if (array == null || start < 0 || length < 0 || start > array.Length - length) Panic.IndexOutOfRange();
            fixed (T* p = array) _pointer = p + start;
            _length = length;
        }

        public int Length => _length;
        public bool IsEmpty => _length == 0;

        public ref readonly T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) Panic.IndexOutOfRange();
                return ref _pointer[index];
            }
        }

        public ReadOnlySpan<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) Panic.IndexOutOfRange();
            return new ReadOnlySpan<T>(_pointer + start, _length - start);
        }

        public ReadOnlySpan<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start)) Panic.IndexOutOfRange();
            return new ReadOnlySpan<T>(_pointer + start, length);
        }

        /// <summary>Copies this span into the start of <paramref name="destination"/> (which must be as long): a bulk move.</summary>
        public void CopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination.Length) Panic.IndexOutOfRange();
            if (_length == 0) return;
            SpanHelpers.Memmove(ref *(byte*)destination.Pointer, ref *(byte*)_pointer, (nuint)_length * (nuint)sizeof(T));
        }

        public static implicit operator ReadOnlySpan<T>(T[] array) => new ReadOnlySpan<T>(array);
    }
}
