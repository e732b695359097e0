// SwapCache: see the header.
#include "mtesim/kernel/swap_cache.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

void SwapCache::insert(std::uint64_t slot, Pfn pfn) {
    const bool fresh = m_pages.emplace(slot, pfn.value()).second;
    MTESIM_ASSERT(fresh, "a swap slot cached twice");
}

std::optional<Pfn> SwapCache::find(std::uint64_t slot) const {
    auto it = m_pages.find(slot);
    if (it == m_pages.end()) return std::nullopt;
    return Pfn(it->second);
}

void SwapCache::erase(std::uint64_t slot) {
    const bool erased = m_pages.erase(slot) == 1;
    MTESIM_ASSERT(erased, "a swap slot not in the swap cache");
}

void SwapCache::repoint(std::uint64_t slot, Pfn to) {
    auto it = m_pages.find(slot);
    MTESIM_ASSERT(it != m_pages.end(), "repointing a swap slot not in the swap cache");
    it->second = to.value();
}

}  // namespace mtesim
