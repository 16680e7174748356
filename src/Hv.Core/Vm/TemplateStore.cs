using Hv.Core.Text;
using Hv.Core.Guests;
using Hv.Core.Memory;

namespace Hv.Core.Vm
{
    /// <summary>The templates of one host, each with its loaded image (<see cref="TemplateImage"/>), in the order they came.</summary>
    public sealed class TemplateStore
    {
        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly TemplateImage[] _images;
        private int _count;

        public TemplateStore(PageSource pages, PageSharing sharing, int capacity)
        {
            _pages = pages;
            _sharing = sharing;
            _images = new TemplateImage[capacity];
        }

        public int Count { get { return _count; } }

        /// <summary>The index-th template (0 .. Count-1), null beyond.</summary>
        public TemplateImage At(int index)
        {
            return index >= 0 && index < _count ? _images[index] : null;
        }

        public TemplateImage Find(string name)
        {
            for (int i = 0; i < _count; i++) if (_images[i].Template.Name == name) return _images[i];
            return null;
        }

        /// <summary>Registers a template and loads its image into its golden address space (validated by the loader).</summary>
        /// <summary>What the loader said about the image of the last <see cref="Add"/> that got as far as loading it.</summary>
        public GuestLoadStatus LastLoadStatus { get; private set; }

        public HypervisorStatus Add(Template template)
        {
            if (template == null) return HypervisorStatus.InvalidArgument;
            if (NameRule.Check(template.Name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            if (Find(template.Name) != null) return HypervisorStatus.NameInUse;
            if (_count == _images.Length) return HypervisorStatus.TooManyVms;
            if (template.MemorySize == 0 || template.MemorySize > Hypervisor.MaxMemorySize || (template.MemorySize & (PageSource.PageSize - 1)) != 0)
                return HypervisorStatus.InvalidArgument;
            TemplateImage image;
            GuestLoadStatus loadStatus;
            HypervisorStatus status = TemplateImage.Load(template, _pages, _sharing, out image, out loadStatus);
            LastLoadStatus = loadStatus;
            if (status != HypervisorStatus.Ok) return status;
            _images[_count++] = image;
            return HypervisorStatus.Ok;
        }

        /// <summary>Forgets a template and gives its golden pages back; the removed one, or null when there is none of that name.</summary>
        public Template Remove(string name)
        {
            for (int i = 0; i < _count; i++)
            {
                TemplateImage image = _images[i];
                if (image.Template.Name != name) continue;
                Template removed = image.Template;
                image.Free();
                for (int j = i; j < _count - 1; j++) _images[j] = _images[j + 1];
                _images[--_count] = null;
                return removed;
            }
            return null;
        }
    }
}
