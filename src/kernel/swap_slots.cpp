// SwapSlots: see the header.
#include "mtesim/kernel/swap_slots.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

std::optional<std::uint64_t> SwapSlots::allocate() {
    for (std::uint64_t s = m_hint; s < m_used.size(); ++s)
        if (!m_used[s]) {
            m_used[s] = 1;
            ++m_refs;
            m_hint = s + 1;
            if (++m_count > m_peak) m_peak = m_count;
            return s;
        }
    m_hint = m_used.size();
    return std::nullopt;
}

void SwapSlots::duplicate(std::uint64_t slot) {
    MTESIM_ASSERT(in_use(slot), "duplicating a swap slot not in use");
    MTESIM_ASSERT(references(slot) < kCountMask, "more than 32767 swap PTEs name one slot");
    ++m_used[slot];
    ++m_refs;
}

bool SwapSlots::free(std::uint64_t slot) {
    MTESIM_ASSERT(references(slot) > 0, "freeing a swap slot no swap PTE names");
    --m_refs;
    if (--m_used[slot]) return false;
    --m_count;
    if (slot < m_hint) m_hint = slot;
    return true;
}

void SwapSlots::set_cached(std::uint64_t slot) {
    MTESIM_ASSERT(in_use(slot) && !cached(slot), "a swap slot not in use, or already in the swap cache");
    m_used[slot] |= kHasCache;
}

bool SwapSlots::clear_cached(std::uint64_t slot) {
    MTESIM_ASSERT(cached(slot), "a swap slot not in the swap cache");
    m_used[slot] &= kCountMask;
    if (m_used[slot]) return false;
    --m_count;
    if (slot < m_hint) m_hint = slot;
    return true;
}

}  // namespace mtesim
