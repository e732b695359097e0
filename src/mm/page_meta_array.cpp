// PageMetaArray: see the header. Large arrays are anonymous mappings (zero-filled by the OS
// on first touch) advised MADV_HUGEPAGE; small ones, or a host without mmap, use calloc,
// which gives zeroed memory as well.
#include "mtesim/mm/page_meta_array.h"

#include <cstdlib>
#include <new>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define MTESIM_HAVE_MMAP 1
#endif

namespace mtesim {

namespace {
constexpr std::size_t kHugePage = std::size_t(2) << 20; /* x86-64 and arm64 (4 KiB granule) PMD size */
}

PageMetaArray::PageMetaArray(std::uint64_t pages) : m_size(pages) {
    if (pages == 0) return;
    const std::size_t bytes = static_cast<std::size_t>(pages) * sizeof(PageMeta);
#ifdef MTESIM_HAVE_MMAP
    if (bytes >= kHugePage) {
        // Round up to whole huge pages so that the last one can be a huge page too.
        const std::size_t len = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
            madvise(p, len, MADV_HUGEPAGE); /* advice only: 4 KiB pages if the host has none */
#endif
            m_data = static_cast<PageMeta *>(p);
            m_mapped = len;
            return;
        }
    }
#endif
    m_data = static_cast<PageMeta *>(std::calloc(pages, sizeof(PageMeta)));
    if (!m_data) throw std::bad_alloc();
}

PageMetaArray::~PageMetaArray() {
#ifdef MTESIM_HAVE_MMAP
    if (m_mapped) {
        munmap(m_data, m_mapped);
        return;
    }
#endif
    std::free(m_data);
}

}  // namespace mtesim
