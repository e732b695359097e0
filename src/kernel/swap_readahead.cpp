// Swap-in readahead's window: see the header.
#include "mtesim/kernel/swap_readahead.h"

#include <algorithm>

namespace mtesim {

namespace {
constexpr unsigned kPageShift = 12;
constexpr std::uint64_t kPmdSize = 2ull << 20;
}  // namespace

unsigned swapin_nr_pages(std::uint64_t prev_pfn, std::uint64_t fpfn, unsigned hits, unsigned max_win, unsigned prev_win) {
    unsigned pages = hits + 2;
    if (pages == 2) {
        // No hits: a fault next to the last one reads 2 pages, any other just its own.
        if (fpfn != prev_pfn + 1 && fpfn + 1 != prev_pfn) pages = 1;
    } else {
        unsigned roundup = 4;
        while (roundup < pages) roundup <<= 1;
        pages = roundup;
    }
    pages = std::min(pages, max_win);
    // Don't shrink readahead too fast.
    return std::max(pages, prev_win / 2);
}

SwapRaWindow swap_ra_window(const Vma &vma, std::uint64_t va, unsigned max_win) {
    const std::uint64_t fpfn = va >> kPageShift, pfn = vma.swap_ra.addr >> kPageShift;
    SwapRaWindow w;
    w.start = fpfn << kPageShift;
    if (max_win <= 1) return w;
    const unsigned win = swapin_nr_pages(pfn, fpfn, vma.swap_ra.hits, max_win, vma.swap_ra.win);
    vma.swap_ra = Vma::SwapRa{fpfn << kPageShift, win, 0};
    if (win == 1) return w;
    std::uint64_t lpfn, rpfn;
    if (fpfn == pfn + 1) { /* sequential forwards: the window ahead */
        lpfn = fpfn;
        rpfn = fpfn + win;
    } else if (pfn == fpfn + 1) { /* backwards: the window behind */
        lpfn = fpfn + 1 >= win ? fpfn + 1 - win : 0;
        rpfn = fpfn + 1;
    } else { /* around the fault */
        const unsigned left = (win - 1) / 2;
        lpfn = fpfn >= left ? fpfn - left : 0;
        rpfn = lpfn + win;
    }
    const std::uint64_t pmd = (va & ~(kPmdSize - 1)) >> kPageShift;
    const std::uint64_t start = std::max({lpfn, vma.start >> kPageShift, pmd});
    const std::uint64_t end = std::min({rpfn, vma.end >> kPageShift, pmd + (kPmdSize >> kPageShift)});
    w.start = start << kPageShift;
    w.pages = end - start;
    return w;
}

void swap_ra_note_hit(const Vma &vma, std::uint64_t va, bool readahead) {
    const unsigned hits = readahead ? std::min(vma.swap_ra.hits + 1, Vma::SwapRa::kHitsMax) : vma.swap_ra.hits;
    vma.swap_ra = Vma::SwapRa{va & ~((1ull << kPageShift) - 1), vma.swap_ra.win, hits};
}

}  // namespace mtesim
