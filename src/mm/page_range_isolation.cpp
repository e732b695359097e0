// PageRangeIsolation: see the header.
#include "mtesim/mm/page_range_isolation.h"

#include "mtesim/mm/tlb_flush_batch.h"

namespace mtesim {

void PageRangeIsolation::isolate(Zone &z, Pfn base, std::uint64_t pages) {
    undo(z, base, pages, MigrateType::isolate);
}

void PageRangeIsolation::undo(Zone &z, Pfn base, std::uint64_t pages, MigrateType type) {
    for (std::uint64_t pb = 0; pb < pages; pb += kPageblockPages) {
        z.set_pageblock_type(base + pb, type);
        z.move_free_pages_block(base + pb, type);
    }
}

/*
 * The migrate scanner's walk (isolate_migratepages_block, then migrate_pages): from the bottom
 * of the range, skip free pages one at a time, and move each allocated block as a whole; the
 * walk resumes after the block. Tag storage in the range (another tag block) cannot move, and
 * one failure ends the evacuation, as alloc_contig_range gives the attempt up and compaction
 * drops the range. The blocks go in batches of up to kCompactClusterMax pages, one
 * migrate_pages call each (isolate_migratepages_range stops at COMPACT_CLUSTER_MAX): their TLB
 * flushes are deferred to one wait a batch (TlbFlushBatch), which a failure flushes too.
 */
PageRangeIsolation::Evacuation PageRangeIsolation::evacuate(PageAllocator &alloc, Zone &z, Pfn base,
                                                            std::uint64_t pages, std::uint64_t &cycles, MigrateMode mode,
                                                            CompactionFreeScanner *free_scanner) {
    Evacuation e;
    /* the free scanner stops at the range's top pageblock: the two scanners meet there */
    const Pfn top((base.value() + pages - 1) & ~(kPageblockPages - 1));
    TlbFlushBatch batch(alloc.kernel_memory(), alloc.mutable_stats());
    const MigrateOptions opt{mode, free_scanner != nullptr, free_scanner, top, &batch};
    std::uint64_t isolated = 0; /* pages of the current batch */
    for (Pfn p = base; p < base + pages;) {
        const auto head = z.allocated_head_of(p);
        if (!head) {
            p = p + 1;
            continue;
        }
        const PageMeta m = z.meta(*head);
        const std::uint64_t n = 1ull << m.order();
        if (isolated + n > kCompactClusterMax) {
            batch.flush(cycles);
            isolated = 0;
        }
        isolated += n;
        if (m.state() == PageMeta::State::tag_storage ||
            !alloc.migrate_block(*head, cycles, opt)) {
            batch.flush(cycles);
            e.ok = false;
            return e;
        }
        e.pages_migrated += n;
        p = *head + n;
    }
    batch.flush(cycles);
    return e;
}

}  // namespace mtesim
