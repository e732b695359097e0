// SwapCache: anonymous pages that have a swap slot and are still in memory (mm/swap_state.c's
// swap address space, reduced to a map from slot to page). A page enters it when reclaim
// starts writing it out (add_to_swap), stays while its write is in flight and until a later
// reclaim pass frees it (__remove_mapping), and leaves it early when a fault maps it back
// (do_swap_page finding it: no device read) or when the last swap PTE naming its slot goes
// (free_swap_and_cache). The slot carries SWAP_HAS_CACHE meanwhile (SwapSlots).
#pragma once

#include "mtesim/common/address.h"

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace mtesim {

class SwapCache {
public:
    /// @pfn's page is now the cached copy of @slot.
    void insert(std::uint64_t slot, Pfn pfn);
    /// The page cached for @slot, if any (swap_cache_get_folio).
    std::optional<Pfn> find(std::uint64_t slot) const;
    /// @slot's page left the swap cache.
    void erase(std::uint64_t slot);
    /// @slot's page was migrated to @to (migrate_folio's mapping update).
    void repoint(std::uint64_t slot, Pfn to);
    std::uint64_t size() const { return m_pages.size(); } /* in pages */

private:
    std::unordered_map<std::uint64_t, std::uint64_t> m_pages; /* slot -> pfn */
};

}  // namespace mtesim
