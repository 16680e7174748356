using Hv.Core.Memory;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Boot modules that are data for templates rather than templates (manifest <c>name=NAME mode=data</c>), by name:
    /// a Linux template's <c>initrd=NAME</c> names one.
    /// </summary>
    public sealed class DataModules
    {
        private readonly string[] _names;
        private readonly ImageBytes[] _data;
        private int _count;

        public DataModules(int capacity)
        {
            _names = new string[capacity];
            _data = new ImageBytes[capacity];
        }

        /// <summary>False when full or the name is already there.</summary>
        public bool Add(string name, ImageBytes data)
        {
            if (_count == _names.Length || Find(name) != null) return false;
            _names[_count] = name;
            _data[_count] = data;
            _count++;
            return true;
        }

        public ImageBytes Find(string name)
        {
            for (int i = 0; i < _count; i++) if (_names[i] == name) return _data[i];
            return null;
        }
    }
}
