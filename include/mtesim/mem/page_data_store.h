// PageDataStore: functional data of simulated memory, on demand (vm.data = true): the bytes
// user-space stores write, per physical page, kept sparsely (a page holds bytes only once
// something non-zero was written to it; everything else reads as zero, as a freshly zeroed
// page does). With vm.data = false (the default) the store is disabled and holds nothing: the
// timing model never needs values, and the only cost is one test of enabled() where data
// would move (docs/performance.md).
//
// Data moves as tags move (docs/architecture.md; BACKGROUND.md section 3):
//   - migration and compaction copy a page (migrate_folio's copy_highpage: data and tags);
//     the kernel model calls copy_page_data(src, dst) where it moves the tags;
//   - copy-on-write copies a page the same way (copy_user_highpage: copy_page_data);
//   - swap-out saves a page's bytes under its swap slot and swap-in restores them
//     (swap_writepage / swap_read_folio; tags: mte_save_tags / mte_restore_tags);
//   - a new anonymous page is zeroed (clear_user_highpage): zero_page.
// Host memory: 4 KiB per page holding non-zero data, plus the same per swapped page.
#pragma once

#include "mtesim/common/address.h"

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace mtesim {

class PageDataStore {
public:
    explicit PageDataStore(bool enabled = false) : m_enabled(enabled) {}

    /// True when vm.data is on: stores write bytes, loads and assertions read them.
    bool enabled() const { return m_enabled; }

    /// Reads @len bytes at @pa (any alignment, may cross pages); unwritten memory reads 0.
    void read(PhysAddr pa, std::uint8_t *out, std::uint64_t len) const;
    /// Writes @len bytes at @pa.
    void write(PhysAddr pa, const std::uint8_t *in, std::uint64_t len);
    /// Zeroes @len bytes at @pa (STZG, DC ZVA, DC GZVA).
    void zero(PhysAddr pa, std::uint64_t len);

    /// A new page: all zero (clear_user_highpage). Frees its host memory.
    void zero_page(Pfn pfn);
    /// copy_highpage's data half: @dst's bytes become @src's (migration, compaction, COW).
    void copy_page_data(Pfn src, Pfn dst);
    /// Swap-out: @pfn's bytes are written to swap @slot (swap_writepage); the page keeps them
    /// (it stays in the swap cache until reclaim frees it).
    void save_to_swap(Pfn pfn, std::uint64_t slot);
    /// Swap-in: the bytes saved under @slot go to @pfn; the slot's copy is dropped.
    void restore_from_swap(std::uint64_t slot, Pfn pfn);
    /// Swap readahead: the bytes saved under @slot are copied to @pfn; the slot keeps them.
    void copy_from_swap(std::uint64_t slot, Pfn pfn);
    /// The swap slot was freed without a swap-in (munmap of a swapped page).
    void drop_swap(std::uint64_t slot) { m_swap.erase(slot); }
    /// Reads @len bytes at byte @offset of the page saved under swap @slot (assertions).
    void read_swap(std::uint64_t slot, std::uint64_t offset, std::uint8_t *out, std::uint64_t len) const;

    /// Pages holding bytes (in memory, in swap), for the host-memory report.
    std::uint64_t resident_pages() const { return m_pages.size(); }
    std::uint64_t swapped_pages() const { return m_swap.size(); }

private:
    using Page = std::array<std::uint8_t, kPageSize>;
    Page *page(Pfn pfn, bool create);
    const Page *page(Pfn pfn) const;

    bool m_enabled;
    std::unordered_map<std::uint64_t, std::unique_ptr<Page>> m_pages; /* by pfn */
    std::unordered_map<std::uint64_t, std::unique_ptr<Page>> m_swap;  /* by swap slot */
};

}  // namespace mtesim
