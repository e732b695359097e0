// FragmentationScore: see the header.
#include "mtesim/mm/fragmentation_score.h"

#include <algorithm>

namespace mtesim {

/*
 * fill_contig_page_info + extfrag_for_order: free_pages is the sum over every order of its free
 * blocks times their size, free_blocks_suitable the number of blocks of @order that the free
 * blocks of @order and above hold; the score is the free pages outside those blocks, x 100 /
 * free_pages.
 */
unsigned FragmentationScore::extfrag(const Zone &z, unsigned order) {
    std::uint64_t free_pages = 0, suitable = 0;
    for (unsigned o = 0; o <= Zone::kMaxOrder; ++o) {
        std::uint64_t blocks = 0;
        for (unsigned t = 0; t < kMigrateTypes; ++t) blocks += z.nr_free(o, static_cast<MigrateType>(t));
        free_pages += blocks << o;
        if (o >= order) suitable += blocks << (o - order);
    }
    if (free_pages == 0) return 0;
    return static_cast<unsigned>((free_pages - (suitable << order)) * 100 / free_pages);
}

/*
 * __fragmentation_index: with free_blocks_total the free blocks of every order and type,
 * free_pages their pages and requested = 2^order, the index is
 *   1000 - (1000 + free_pages x 1000 / requested) / free_blocks_total   (integer divisions):
 * many small blocks holding many pages (fragmentation) give near 1000, few pages in total
 * (the request could not be met even if they were contiguous) near 0.
 */
int FragmentationScore::index(const Zone &z, unsigned order) {
    std::uint64_t free_pages = 0, blocks_total = 0, suitable = 0;
    for (unsigned o = 0; o <= Zone::kMaxOrder; ++o) {
        std::uint64_t blocks = 0;
        for (unsigned t = 0; t < kMigrateTypes; ++t) blocks += z.nr_free(o, static_cast<MigrateType>(t));
        blocks_total += blocks;
        free_pages += blocks << o;
        if (o >= order) suitable += blocks << (o - order);
    }
    if (!blocks_total) return 0;
    if (suitable) return -1000;
    const std::uint64_t requested = 1ull << order;
    return 1000 - static_cast<int>((1000 + free_pages * 1000 / requested) / blocks_total);
}

unsigned FragmentationScore::node(const std::vector<std::unique_ptr<Zone>> &zones) {
    std::uint64_t node_pages = 0;
    for (const auto &z : zones) node_pages += z->managed_pages();
    std::uint64_t score = 0;
    for (const auto &z : zones) {
        if (!z->managed_pages()) continue; /* populated_zone */
        score += z->managed_pages() * zone(*z) / (node_pages + 1);
    }
    return static_cast<unsigned>(score);
}

unsigned FragmentationScore::wmark(unsigned proactiveness, bool low) {
    const unsigned wmark_low = std::max(100u - std::min(proactiveness, 100u), 5u);
    return low ? wmark_low : std::min(wmark_low + 10, 100u);
}

}  // namespace mtesim
