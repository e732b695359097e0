// Swap-in readahead's window (mm/swap_state.c, v6.6: swap_vma_readahead's swap_ra_info and
// __swapin_nr_pages, swap_cache_get_folio's hit count). Each VMA remembers its last swap
// fault's page, the window read then, and how many of the pages read ahead have been found in
// the swap cache since (Vma::swap_ra). The next fault's window grows with those hits (hits + 2
// pages, rounded up to a power of two from 4), is one page for a fault that neither follows
// nor precedes the last one without hits, never shrinks below half the last window, and is at
// most 2^vm.page_cluster pages. It lies ahead of a fault that follows the last one, behind one
// that precedes it, and around any other, within the VMA and the fault's 2 MiB (PMD) range.
#pragma once

#include "mtesim/kernel/vma.h"

#include <cstdint>

namespace mtesim {

struct SwapRaWindow {
    std::uint64_t start = 0; /* first VA of the window (page aligned) */
    std::uint64_t pages = 1; /* pages in the window, the fault's included */
};

/// __swapin_nr_pages: the window for a fault at page @fpfn after one at @prev_pfn with @hits
/// readahead hits since and a window of @prev_win; at most @max_win.
unsigned swapin_nr_pages(std::uint64_t prev_pfn, std::uint64_t fpfn, unsigned hits, unsigned max_win, unsigned prev_win);

/// swap_ra_info for a swap-cache miss at @va of @vma, with windows of at most @max_win pages:
/// the window to read, @vma's readahead state set to this fault (hits cleared).
SwapRaWindow swap_ra_window(const Vma &vma, std::uint64_t va, unsigned max_win);

/// swap_cache_get_folio's bookkeeping for a swap-cache hit at @va: the VMA's last fault becomes
/// this one, its window kept, its hits raised when the page was one read ahead.
void swap_ra_note_hit(const Vma &vma, std::uint64_t va, bool readahead);

}  // namespace mtesim
