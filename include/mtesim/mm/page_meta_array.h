// PageMetaArray: the host storage of a zone's PageMeta, one 8-byte entry per simulated 4 KiB
// page, in memory that reads as zero (PageMeta::State::absent) until it is written.
//
// Why not std::vector<PageMeta>: a vector value-initialises every entry, so a 64 GiB board's
// 16 M entries (128 MiB) were memset page by page at boot, each host page taking a page fault
// on first touch: about a fifth of a 16-core run's host time (docs/performance.md, "Session 7,
// multi-core speed"). Here the entries come from an anonymous mapping (zero pages from the
// OS, like calloc of a large block, touched on demand), asked to be backed by transparent huge
// pages so that the pages the boot's add_free_range then writes fault 2 MiB at a time instead
// of 4 KiB. The contents are the same as the vector's: every entry starts absent.
#pragma once

#include "mtesim/mm/page_meta.h"

#include <cstddef>
#include <cstdint>

namespace mtesim {

class PageMetaArray {
public:
    /// @pages entries, all absent (raw 0).
    explicit PageMetaArray(std::uint64_t pages);
    ~PageMetaArray();
    PageMetaArray(const PageMetaArray &) = delete;
    PageMetaArray &operator=(const PageMetaArray &) = delete;

    PageMeta &operator[](std::uint64_t i) { return m_data[i]; }
    const PageMeta &operator[](std::uint64_t i) const { return m_data[i]; }
    std::uint64_t size() const { return m_size; } /* in entries */

private:
    PageMeta *m_data = nullptr;
    std::uint64_t m_size = 0;    /* entries */
    std::size_t m_mapped = 0;    /* bytes mapped with mmap (0: from calloc, or empty) */
};

}  // namespace mtesim
