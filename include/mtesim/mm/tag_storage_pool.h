// TagStoragePool: who holds each tag block (BACKGROUND.md section 3, "Reserving tag storage"):
// a refcount per block of tagged data pages it covers. Reserving the tags of a tagged
// allocation walks the blocks covering it: a block already reserved gets its refcount raised;
// otherwise it is taken off the free list (fast path, RFC v2 patch 26) or, when it holds data,
// emptied by alloc_contig_range: isolate the pageblock, lru_cache_disable IPIs to every other
// CPU, migrate each movable occupant out, retry a few times. Freeing drops refcounts; a block
// at zero returns to the pool after cache maintenance.
#pragma once

#include "mtesim/dt/platform_desc.h"
#include "mtesim/mm/mm_config.h"
#include "mtesim/mte/tag_layout.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mtesim {

class PageAllocator;
class Zone;

class TagStoragePool {
public:
    TagStoragePool(const PlatformDesc &desc, PageAllocator &allocator);

    /// False when the board has no tag storage to manage (no MTE): tagged is ignored.
    bool enabled() const { return m_enabled; }
    const TagLayout &layout() const { return m_layout; }

    /// Reserves the tag storage of the 2^@order data pages at @pfn. On failure nothing stays
    /// reserved for them. Returns the outcome; cycles are added to @cycles. Without
    /// @may_migrate only refcount hits and free blocks are taken (a migration destination:
    /// the slow path would recurse into migration).
    bool reserve(Pfn pfn, unsigned order, std::uint64_t &cycles, bool may_migrate = true);
    /// Drops the reservation of the 2^@order data pages at @pfn.
    void release(Pfn pfn, unsigned order, std::uint64_t &cycles);

    /// One free order-0 page of the pool taken off the buddy free lists (zone->lock, one buddy
    /// operation) for a cleancache put: it holds a copy of a clean page-cache page until a get,
    /// the backend's eviction or a tag reservation drops it. nullopt when none is free.
    std::optional<Pfn> take_cache_page();

    /// Refcount of tag block @block of region @region (tests, invariants).
    std::uint32_t refcount(std::size_t region, std::uint64_t block) const { return m_refcount[region][block]; }
    std::size_t regions() const { return m_layout.regions().size(); }
    /// First page of tag block @block of region @region.
    Pfn block_pfn(std::size_t region, std::uint64_t block) const;
    unsigned block_order(std::size_t region) const { return m_block_order[region]; }
    /// Data pages each tag block of @region covers.
    std::uint64_t pages_per_block(std::size_t region) const;
    /// Tag blocks now reserved (refcount > 0) in reusable regions, in pages.
    std::uint64_t reserved_pages() const { return m_reserved_pages; }

    /// Visits every (region, block, pages covered) of the data pages [@pfn, @pfn + @pages).
    template <typename F>
    bool for_each_block(Pfn pfn, std::uint64_t pages, F &&f) const;

private:
    /// Adds / drops @n references to tag block @b of region @r, keeping m_reserved_pages.
    void add_refs(std::size_t r, std::uint64_t b, std::uint32_t n);
    void drop_refs(std::size_t r, std::uint64_t b, std::uint32_t n);
    bool take_block(std::size_t region, std::uint64_t block, std::uint64_t &cycles, bool may_migrate);
    /// Cache maintenance of the tag block at @block (order @order) changing use: charged on the
    /// running core as it runs, counted in MmStats; returns the cycles (accounting only).
    std::uint64_t maintain(Pfn block, unsigned order);
    /// Empties the tag block at @pfn by dropping its clean page-cache pages (cleancache).
    bool drop_range(Zone &z, Pfn pfn, unsigned order);
    /// alloc_contig_range() of the tag block at @pfn (order @order) with the configured retries.
    bool contig_range(Zone &z, Pfn pfn, unsigned order, std::uint64_t &cycles);

    PageAllocator &m_alloc;
    TagLayout m_layout;
    bool m_enabled = false;
    std::vector<std::vector<std::uint32_t>> m_refcount; /* [region][block]: tagged data pages covered */
    std::vector<unsigned> m_block_order;
    std::uint64_t m_reserved_pages = 0; /* in pages: reusable tag blocks with a nonzero refcount */
};

template <typename F>
bool TagStoragePool::for_each_block(Pfn pfn, std::uint64_t pages, F &&f) const {
    const auto r = m_layout.data_region_of(phys_of(pfn));
    if (!r) return false;
    const TagRegion &reg = m_layout.regions()[*r];
    const std::uint64_t per_block = pages_per_block(*r);
    const std::uint64_t first = pfn - pfn_of(reg.data.base());
    for (std::uint64_t b = first / per_block; b <= (first + pages - 1) / per_block; ++b) {
        const std::uint64_t lo = std::max(first, b * per_block), hi = std::min(first + pages, (b + 1) * per_block);
        if (!f(*r, b, hi - lo)) return false;
    }
    return true;
}

}  // namespace mtesim
