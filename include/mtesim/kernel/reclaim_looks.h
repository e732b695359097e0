// ReclaimLooks: kswapd's chain of reclaim passes that have freed nothing yet, each looking at a
// limited number of inactive pages (Kernel::reclaim, Kswapd::run_once): what one reclaim call
// of unlimited looks would have counted, so that the chain moves on from a list holding only
// busy pages and decides PGDAT_DIRTY as that call would (Kernel::end_reclaim_chain); PGDAT_WRITEBACK
// is decided for each pass (Kernel::reclaim).
#pragma once

#include <cstdint>

namespace mtesim {

struct ReclaimLooks {
    std::uint64_t limit = 0; /* pages one call may look at, in pages (0: no limit) */
    bool cut = false;        /* the last call stopped at @limit */
    std::uint64_t serial = 0; /* the chain's number, given by its first call (0: not begun); UserPage::writeback_activated_chain */
    /* over the chain: */
    std::uint64_t looked = 0;         /* pages looked at, in pages */
    std::uint64_t file_busy = 0;      /* inactive file pages passed over under write-back or locked, in pages */
    std::uint64_t anon_busy = 0;      /* the same of anonymous pages, in pages */
    std::uint64_t file_taken = 0;     /* file pages taken (shrink_node's sc->nr.file_taken), in pages */
    std::uint64_t unqueued_dirty = 0; /* of those, dirty and not under write-back (sc->nr.unqueued_dirty), in pages */
    std::uint64_t taken = 0;          /* pages taken off the inactive lists (sc->nr.taken), in pages */
    std::uint64_t writeback = 0;      /* of those, found under write-back and marked PG_reclaim (sc->nr.writeback), in pages */
    /* of the last call only: */
    std::uint64_t immediate = 0;      /* pages found under write-back already PG_reclaim with PGDAT_WRITEBACK set (nr_immediate), in pages */
};

}  // namespace mtesim
