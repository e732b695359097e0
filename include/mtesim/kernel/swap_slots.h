// SwapSlots: the slots of the swap device (mm/swapfile.c's swap_map: a reference count per
// slot). A slot holds one swapped-out page; its number is the swap entry's offset, the key of
// the saved-tags xarray. Its count is the number of swap PTEs naming it: 1 at swap-out of a
// page mapped once, more when a COW-shared page was swapped out or a swap PTE copied at fork
// (swap_duplicate). Apart from the count, a slot whose page is still in memory, in the swap
// cache (SwapCache), carries the swap map's SWAP_HAS_CACHE flag: the slot stays in use while
// the flag is set even when no swap PTE names it any more. Allocation takes the lowest free
// slot, as scan_swap_map_slots tends to.
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
    /// Drops one reference (swap_free); true when it was the last, the page is not in the swap
    /// cache, and the slot is free now.
    bool free(std::uint64_t slot);
    /// Sets SWAP_HAS_CACHE: @slot's page entered the swap cache (add_to_swap).
    void set_cached(std::uint64_t slot);
    /// Clears SWAP_HAS_CACHE (the page left the swap cache); true when no swap PTE names the slot
    /// either and it is free now.
    bool clear_cached(std::uint64_t slot);
    bool cached(std::uint64_t slot) const { return slot < m_used.size() && (m_used[slot] & kHasCache); }
    bool in_use(std::uint64_t slot) const { return slot < m_used.size() && m_used[slot]; }
    /// The swap PTEs naming @slot (the swap cache's flag not counted).
    std::uint32_t references(std::uint64_t slot) const {
        return slot < m_used.size() ? (m_used[slot] & kCountMask) : 0;
    }
    std::uint64_t total_references() const { return m_refs; } /* swap PTEs naming a slot */
    std::uint64_t capacity() const { return m_used.size(); } /* in pages */
    std::uint64_t used() const { return m_count; }           /* in pages */
    std::uint64_t peak() const { return m_peak; }            /* in pages */

private:
    static constexpr std::uint16_t kHasCache = 0x8000; /* SWAP_HAS_CACHE */
    static constexpr std::uint16_t kCountMask = 0x7fff;
    std::vector<std::uint16_t> m_used; /* references per slot and kHasCache; 0: free */
    std::uint64_t m_refs = 0;
    std::uint64_t m_hint = 0; /* no free slot below it */
    std::uint64_t m_count = 0;
    std::uint64_t m_peak = 0;
};

}  // namespace mtesim
