// SharedCaches: the cache state the cores see of each other, owned by the Platform: the
// shared LLC (with its sharer bits), every core's L1D and L2 (a tag store invalidates
// the other copies' tags) and every core's TLB (the kernel model's shootdowns reach them all).
#pragma once

#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb_hierarchy.h"
#include "mtesim/mte/tag_cache.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mtesim {

struct SharedCaches {
    Cache *llc = nullptr;
    std::vector<Cache *> l1s; /* indexed by core id */
    /* Indexed by core id; nullptr: no L2. Filled by each MemoryPath with its private L2, or
     * beforehand by the Platform with the L2 a complex's cores share (cpu nodes naming the
     * same next-level-cache): then several cores name the same Cache. */
    std::vector<Cache *> l2s;
    std::vector<TlbHierarchy *> tlbs;  /* indexed by core id: flushed (every level) when a mapping changes */
    std::vector<TagCache *> tag_caches; /* the DRAM controllers': cache maintenance of a tag block reaches them */
    /*
     * An LLC line's 64 sharer bits: up to 64 cores, bit c is core c (a full-map directory);
     * beyond, bit g stands for the 2^sharer_shift cores g << sharer_shift.. (a coarse vector,
     * as in Gupta, Weber and Mowry, "Reducing Memory and Traffic Requirements for Scalable
     * Directory-Based Cache Coherence Schemes", ICPP 1990): a tag store or an LLC eviction
     * then visits the cores of each set group, a superset of the sharers. Set by the Platform.
     */
    unsigned sharer_shift = 0;

    /// The smallest shift that gives each of @cores cores a bit of the 64.
    static unsigned sharer_shift_for(std::size_t cores) {
        unsigned s = 0;
        while ((cores + (std::size_t{1} << s) - 1) >> s > 64) ++s;
        return s;
    }
    /// The sharer bit of core @core.
    std::uint64_t sharer_bit(std::size_t core) const { return 1ull << (core >> sharer_shift); }
    /// Calls @f(c) for every core c (with an L1D or an L2 here) that @bits may name, in increasing order.
    template <typename F>
    void for_each_sharer(std::uint64_t bits, F &&f) const {
        for (; bits; bits &= bits - 1) {
            const std::size_t first = static_cast<std::size_t>(__builtin_ctzll(bits)) << sharer_shift;
            const std::size_t end = std::min(std::max(l1s.size(), l2s.size()), first + (std::size_t{1} << sharer_shift));
            for (std::size_t c = first; c < end; ++c) f(c);
        }
    }
};

}  // namespace mtesim
