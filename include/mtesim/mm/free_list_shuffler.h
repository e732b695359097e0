// FreeListShuffler: randomizes the order of a zone's top-order free blocks at boot, as Linux's
// page_alloc.shuffle (mm/shuffle.c, shuffle_free_memory / __shuffle_zone). Which 4 MiB block
// an allocation is split from then depends on the seed instead of the address order, so the
// physical placement of a run's pages, and with it cache-set and DRAM-bank conflicts, varies
// between seeds. `mtesim compare --seeds N` uses it to tell a policy's effect from layout noise
// (the `mm.shuffle` key, docs/config.md).
#pragma once

#include <cstdint>

namespace mtesim {

class Zone;

class FreeListShuffler {
public:
    explicit FreeListShuffler(std::uint64_t seed) : m_state(seed) {}

    /**
     * shuffle - permute @zone's free blocks of order Zone::kMaxOrder
     * Return: the number of blocks permuted (0 or 1 means nothing changed).
     */
    std::uint64_t shuffle(Zone &zone);

private:
    std::uint64_t next();
    std::uint64_t m_state; /* splitmix64 state */
};

}  // namespace mtesim
