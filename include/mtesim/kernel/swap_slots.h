// SwapSlots: the slots of the swap device (mm/swapfile.c's swap_map: a reference count per
// slot). A slot holds one swapped-out page; its number is the swap entry's offset, the key of
// the saved-tags xarray. Its count is the number of swap PTEs naming it: 1 at swap-out of a
// page mapped once, more when a COW-shared page was swapped out or a swap PTE copied at fork
// (swap_duplicate). Allocation takes the lowest free slot, as scan_swap_map_slots tends to.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mtesim {

class SwapSlots {
public:
    explicit SwapSlots(std::uint64_t slots) : m_used(slots, 0) {}

    /// A free slot with one reference.
    std::optional<std::uint64_t> allocate();
    /// One more swap PTE names @slot (swap_duplicate).
    void duplicate(std::uint64_t slot);
    /// Drops one reference (swap_free); true when it was the last and the slot is free now.
    bool free(std::uint64_t slot);
    bool in_use(std::uint64_t slot) const { return slot < m_used.size() && m_used[slot]; }
    std::uint32_t references(std::uint64_t slot) const { return slot < m_used.size() ? m_used[slot] : 0; }
    std::uint64_t total_references() const { return m_refs; } /* swap PTEs naming a slot */

    std::uint64_t capacity() const { return m_used.size(); } /* in pages */
    std::uint64_t used() const { return m_count; }           /* in pages */
    std::uint64_t peak() const { return m_peak; }            /* in pages */

private:
    std::vector<std::uint16_t> m_used; /* references per slot, 0: free */
    std::uint64_t m_refs = 0;
    std::uint64_t m_hint = 0; /* no free slot below it */
    std::uint64_t m_count = 0;
    std::uint64_t m_peak = 0;
};

}  // namespace mtesim
