// SwapSlots: the slots of the swap device (mm/swapfile.c's swap_map reduced to in-use bits).
// A slot holds one swapped-out page; its number is the swap entry's offset, the key of the
// saved-tags xarray. Allocation takes the lowest free slot, as scan_swap_map_slots tends to.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mtesim {

class SwapSlots {
public:
    explicit SwapSlots(std::uint64_t slots) : m_used(slots, false) {}

    std::optional<std::uint64_t> allocate();
    void free(std::uint64_t slot);
    bool in_use(std::uint64_t slot) const { return slot < m_used.size() && m_used[slot]; }

    std::uint64_t capacity() const { return m_used.size(); } /* in pages */
    std::uint64_t used() const { return m_count; }           /* in pages */
    std::uint64_t peak() const { return m_peak; }            /* in pages */

private:
    std::vector<bool> m_used;
    std::uint64_t m_hint = 0; /* no free slot below it */
    std::uint64_t m_count = 0;
    std::uint64_t m_peak = 0;
};

}  // namespace mtesim
