// FreeListShuffler: see the header.
#include "mtesim/mm/free_list_shuffler.h"

#include "mtesim/mm/zone.h"

#include <utility>
#include <vector>

namespace mtesim {

/* splitmix64: the seed is mixed so that seeds 1, 2, 3... give unrelated permutations. */
std::uint64_t FreeListShuffler::next() {
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/*
 * __shuffle_zone() walks the zone in SHUFFLE_ORDER (= MAX_ORDER - 1, the top order) steps and
 * swaps each free top-order block with a randomly chosen one of the same order and
 * migratetype. Here the same outcome, a uniformly random order of each top-order free list,
 * comes from a Fisher-Yates shuffle: every free top-order block is taken off its list, and
 * they are freed back in the permuted order (each goes to the head of its pageblock type's
 * list, so the last one freed is allocated from first). Only boot-time memory is shuffled;
 * Linux's shuffle_pick_tail() randomization of later frees is not modelled.
 */
std::uint64_t FreeListShuffler::shuffle(Zone &zone) {
    std::vector<Pfn> blocks;
    for (Pfn p = zone.start(); p + Zone::kMaxOrderPages <= zone.end(); p += Zone::kMaxOrderPages) {
        const PageMeta &m = zone.meta(p);
        if (m.state() == PageMeta::State::free_head && m.order() == Zone::kMaxOrder) blocks.push_back(p);
    }
    if (blocks.size() < 2) return blocks.size();
    for (std::size_t i = blocks.size() - 1; i > 0; --i) std::swap(blocks[i], blocks[next() % (i + 1)]);
    for (Pfn p : blocks) zone.take_free_block(p, Zone::kMaxOrder);
    for (Pfn p : blocks) {
        zone.mark_allocated(p, Zone::kMaxOrder, zone.pageblock_type(p), PageMeta::State::allocated_head, 0);
        zone.free_block(p);
    }
    return blocks.size();
}

}  // namespace mtesim
