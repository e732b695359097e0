// Compactor: compaction for a failed high-order allocation, direct or by kcompactd (mm/compaction.c reduced to
// its effect): find an aligned range of movable pageblocks whose occupants can all move,
// isolate it so that nothing lands there meanwhile, migrate every allocated block out
// (PageAllocator::migrate_block, which carries tags and tells the owner), and put the
// pageblocks back, leaving one free block of the order asked. A pinned or unmovable occupant
// disqualifies a range; pinned ones are counted (compact_blocked_pinned), since pinning is how
// a workload keeps memory from being compacted.
#pragma once

#include "mtesim/mm/page_allocator.h"

namespace mtesim {

class Compactor {
public:
    /// Ranges examined per run at most (compaction gives up rather than scanning all memory).
    static constexpr unsigned kMaxCandidates = 64;

    explicit Compactor(PageAllocator &allocator) : m_alloc(allocator) {}

    /// Tries to free an aligned block of 2^@order pages; the cycles of its migrations are added
    /// to @cycles. True when such a block is free afterwards. @direct: an allocation waits for
    /// it (a compact_stall); false for kcompactd, which runs as its own thread.
    bool compact(unsigned order, std::uint64_t &cycles, bool direct = true);

private:
    /// Whether every allocated block in [@pfn, @pfn + @pages) may move; counts pinned ones.
    bool movable_range(Zone &z, Pfn pfn, std::uint64_t pages, bool &pinned) const;
    PageAllocator &m_alloc;
};

}  // namespace mtesim
