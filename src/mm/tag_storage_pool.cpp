// TagStoragePool: see the header.
#include "mtesim/mm/tag_storage_pool.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/mm/kernel_lock_guard.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mm/page_range_isolation.h"

namespace mtesim {

namespace {
unsigned log2u(std::uint64_t v) { return 63u - static_cast<unsigned>(__builtin_clzll(v)); }
}  // namespace

TagStoragePool::TagStoragePool(const PlatformDesc &desc, PageAllocator &allocator)
    : m_alloc(allocator), m_layout(desc) {
    m_enabled = !desc.cpus.empty() && desc.cpus.front().mte_version >= 2 && !m_layout.regions().empty();
    for (const auto &r : m_layout.regions()) {
        m_refcount.emplace_back(r.block_count(), 0);
        m_block_order.push_back(log2u(r.block_size / kPageSize));
    }
}

Pfn TagStoragePool::block_pfn(std::size_t region, std::uint64_t block) const {
    const TagRegion &r = m_layout.regions()[region];
    return pfn_of(r.tags.base()) + block * (r.block_size / kPageSize);
}

std::uint64_t TagStoragePool::pages_per_block(std::size_t region) const {
    return m_layout.regions()[region].block_size / kPageSize * kTagRatio;
}

/*
 * Refcount changes go through these two, which keep m_reserved_pages (the pages of reusable
 * tag blocks with a nonzero refcount) current: the pool sampler asks for it after every
 * kernel operation, and a scan of every block's refcount there grew with memory and cores.
 */
void TagStoragePool::add_refs(std::size_t r, std::uint64_t b, std::uint32_t n) {
    if (m_refcount[r][b] == 0 && n && m_layout.regions()[r].reusable) m_reserved_pages += 1ull << m_block_order[r];
    m_refcount[r][b] += n;
}

void TagStoragePool::drop_refs(std::size_t r, std::uint64_t b, std::uint32_t n) {
    m_refcount[r][b] -= n;
    if (n && m_refcount[r][b] == 0 && m_layout.regions()[r].reusable) m_reserved_pages -= 1ull << m_block_order[r];
}

/*
 * alloc_contig_range() for one tag block, as the RFC's slow path: isolate the pageblock (its
 * free pages move to the isolate list, so nothing else can take them), disable the per-CPU
 * LRU caches (lru_cache_disable: IPIs and kworkers on the other CPUs), migrate every occupant of the block out, and take
 * the block once it is wholly free. An unmovable or pinned occupant, or no destination, fails
 * the attempt; the pageblock is restored either way. Retried mm.contig_retries times.
 */
namespace {
/* The key of @z's zone->lock: its place in the zonelist, as PageAllocator names it. */
std::uint64_t zone_key(const PageAllocator &alloc, const Zone &z) {
    std::uint64_t i = 0;
    while (i < alloc.zones().size() && alloc.zones()[i].get() != &z) ++i;
    return i;
}
}  // namespace

bool TagStoragePool::contig_range(Zone &z, Pfn pfn, unsigned order, std::uint64_t &cycles) {
    MmStats &st = m_alloc.mutable_stats();
    const MigrateType old = z.pageblock_type(pfn);
    for (unsigned attempt = 0; attempt < m_alloc.config().contig_retries; ++attempt) {
        ++st.contig_attempts;
        // start_isolate_page_range: zone->lock, has_unmovable_pages over the range;
        // test_pages_isolated after the migration walks it again; undo takes the lock again.
        const KernelOpCosts &ops = m_alloc.config().ops;
        {
            KernelLockGuard zone_lock(m_alloc.kernel_memory(), KernelLockClass::zone, zone_key(m_alloc, z));
            m_alloc.work(2ull * ops.zone_lock + 2ull * (1ull << order) * ops.page_scan);
            for (int pass = 0; pass < 2; ++pass) /* has_unmovable_pages, test_pages_isolated */
                for (std::uint64_t i = 0; i < (1ull << order); ++i) m_alloc.touch_page(pfn + i, false);
            PageRangeIsolation::isolate(z, pfn, 1); /* the pageblock of the tag block */
        }
        // alloc_contig_range's drain_all_pages: pages on per-CPU lists return to the buddy
        // lists (to the isolate list, their pageblock being isolated).
        m_alloc.drain_all_pages(z);
        // __alloc_contig_migrate_range: lru_cache_disable() before isolating the occupants
        // (an expedited RCU grace period, every CPU's LRU-add batch drained), and
        // lru_cache_enable() once they have moved.
        cycles += m_alloc.lru_cache_disable();
        // Why this attempt failed, from the migration counters it moved (a retry then counts
        // under that reason: attempts 2..N repeat the first unless the cause was transient).
        const MmStats before = st;
        const bool ok = PageRangeIsolation::evacuate(m_alloc, z, pfn, 1ull << order, cycles, MigrateMode::sync).ok;
        m_alloc.lru_cache_enable();
        if (ok && z.block_is_free(pfn, order)) {
            z.take_free_block(pfn, order);
            PageRangeIsolation::undo(z, pfn, 1, old);
            return true;
        }
        PageRangeIsolation::undo(z, pfn, 1, old);
        if (attempt + 1 < m_alloc.config().contig_retries) {
            if (st.migrate_blocked_pinned != before.migrate_blocked_pinned) ++st.contig_retries_pinned;
            else if (st.migrate_busy_lru_batch != before.migrate_busy_lru_batch) ++st.contig_retries_lru_batch;
            else if (st.migrate_no_destination != before.migrate_no_destination) ++st.contig_retries_no_destination;
            else ++st.contig_retries_other;
        }
    }
    return false;
}

std::optional<Pfn> TagStoragePool::take_cache_page() {
    if (!m_enabled) return std::nullopt;
    for (auto &z : m_alloc.m_zones) {
        if (!z->free_pages(MigrateType::cma)) continue;
        /* alloc_cleancache_page: one page allocation call, the page off the pool's free list */
        m_alloc.work(m_alloc.config().ops.alloc_entry + m_alloc.config().ops.zone_lock + m_alloc.config().ops.buddy_page);
        if (auto p = z->take_smallest(0, MigrateType::cma)) {
            z->mark_allocated(*p, 0, MigrateType::movable, PageMeta::State::allocated_head, 0);
            m_alloc.touch_page(*p, true);
            return p;
        }
    }
    return std::nullopt;
}

/*
 * The cleancache alternative (BACKGROUND.md section 3): the pool only ever holds the backend's
 * copies of clean page-cache pages (Kernel, Cleancache), mapped nowhere, so a tag block is
 * emptied by dropping them: no isolation, no IPIs, no copies, no TLB invalidation, and it
 * works in atomic context. Anything that cannot be dropped fails the reservation.
 */
bool TagStoragePool::drop_range(Zone &z, Pfn pfn, unsigned order) {
    IPageMigrator *owner = m_alloc.migrator();
    if (!z.block_is_free(pfn, order)) m_alloc.drain_all_pages(z); /* pages on per-CPU lists first */
    for (Pfn p = pfn; p < pfn + (1ull << order);) {
        const auto head = z.allocated_head_of(p);
        if (!head) {
            p = p + 1;
            continue;
        }
        const std::uint64_t n = 1ull << z.meta(*head).order();
        m_alloc.scan_page(*head);
        if (!owner || !owner->drop(*head)) return false;
        m_alloc.mutable_stats().reserve_drop_pages += n;
        p = *head + n;
    }
    // Freed pages of the pool go to the per-CPU lists (free_unref_page): back to the buddy
    // lists before the block can be taken.
    if (!z.block_is_free(pfn, order) && !m_alloc.m_pcp.empty()) m_alloc.drain_all_pages(z);
    return z.block_is_free(pfn, order);
}

/*
 * Cache maintenance of a tag block changing use, at both transitions. Data to tags (a
 * reservation): copies of the block's old data lines, dirty ones included, must not be
 * written back over the tags the hardware now keeps there (DC CIVAC by VA over the block, as
 * dcache_clean_inval_poc). Tags to data (free_tag_storage): the RFC invalidates the tag lines
 * (dcache_inval_tags_poc, "avoid writeback of dirty tag cache lines corrupting data"). The
 * lines really leave the caches and the tag caches; the running core pays per line.
 */
std::uint64_t TagStoragePool::maintain(Pfn block, unsigned order) {
    MmStats &st = m_alloc.mutable_stats();
    const std::uint64_t pages = 1ull << order;
    const std::uint64_t c = m_alloc.kernel_memory().invalidate_tag_block(block, pages);
    ++st.tag_maintained_blocks;
    st.tag_maintained_lines += pages * kPageSize / m_alloc.kernel_memory().cache_line_bytes();
    st.tag_maintenance_cycles += c;
    return c;
}

bool TagStoragePool::take_block(std::size_t region, std::uint64_t block, std::uint64_t &cycles, bool may_migrate) {
    MmStats &st = m_alloc.mutable_stats();
    const TagRegion &r = m_layout.regions()[region];
    if (!r.reusable) {
        ++st.reserve_static;
        return true;
    }
    const Pfn bp = block_pfn(region, block);
    const unsigned order = m_block_order[region];
    Zone *z = m_alloc.zone_of(bp);
    MTESIM_ASSERT(z, "reusable tag block outside every zone");
    const KernelOpCosts &ops = m_alloc.config().ops;
    if (m_alloc.config().tag_reserve != TagReservePath::contig_range) m_alloc.scan_page(bp); /* is_free_buddy_page */
    if (m_alloc.config().tag_reserve != TagReservePath::contig_range && z->block_is_free(bp, order)) {
        {
            KernelLockGuard zone_lock(m_alloc.kernel_memory(), KernelLockClass::zone, zone_key(m_alloc, *z));
            m_alloc.work(ops.zone_lock + ops.buddy_page); /* taken off the free list under zone->lock */
            m_alloc.touch_page(bp, true);
            z->take_free_block(bp, order);
            z->mark_allocated(bp, order, MigrateType::cma, PageMeta::State::tag_storage, 0);
        }
        cycles += maintain(bp, order);
        ++st.reserve_fast;
        return true;
    }
    if (!may_migrate) {
        ++st.reserve_deferred;
        return false;
    }
    if (m_alloc.config().tag_reserve == TagReservePath::cleancache) {
        if (drop_range(*z, bp, order)) {
            z->take_free_block(bp, order);
            z->mark_allocated(bp, order, MigrateType::cma, PageMeta::State::tag_storage, 0);
            cycles += maintain(bp, order);
            ++st.reserve_dropped;
            return true;
        }
        ++st.reserve_failed;
        return false;
    }
    if (contig_range(*z, bp, order, cycles)) {
        z->mark_allocated(bp, order, MigrateType::cma, PageMeta::State::tag_storage, 0);
        cycles += maintain(bp, order);
        ++st.reserve_slow;
        return true;
    }
    ++st.reserve_failed;
    return false;
}

/*
 * reserve_tag_storage() holds the RFC's tag_blocks_lock (a mutex) over the whole reservation,
 * fast, slow or refcount hit: two tagged allocations reserve one after the other, and a
 * slow-path alloc_contig_range (IPIs, migration) holds every other reservation up.
 */
bool TagStoragePool::reserve(Pfn pfn, unsigned order, std::uint64_t &cycles, bool may_migrate) {
    if (!m_enabled) return true;
    KernelLockGuard tag_blocks_lock(m_alloc.kernel_memory(), KernelLockClass::tag_storage, 0);
    std::vector<std::tuple<std::size_t, std::uint64_t, std::uint64_t>> done;
    const bool ok = for_each_block(pfn, 1ull << order, [&](std::size_t r, std::uint64_t b, std::uint64_t covered) {
        m_alloc.work(m_alloc.config().ops.refcount);
        if (m_refcount[r][b] == 0) {
            if (!take_block(r, b, cycles, may_migrate)) return false;
        } else {
            ++m_alloc.mutable_stats().reserve_refcount_hits;
        }
        add_refs(r, b, static_cast<std::uint32_t>(covered));
        done.emplace_back(r, b, covered);
        return true;
    });
    if (ok) return true;
    // Roll back what this allocation reserved: the data will be mapped fault-on-access.
    for (const auto &[r, b, covered] : done) {
        drop_refs(r, b, static_cast<std::uint32_t>(covered));
        if (m_refcount[r][b] == 0 && m_layout.regions()[r].reusable) {
            Zone *z = m_alloc.zone_of(block_pfn(r, b));
            z->free_block(block_pfn(r, b));
        }
    }
    return false;
}

void TagStoragePool::release(Pfn pfn, unsigned order, std::uint64_t &cycles) {
    if (!m_enabled) return;
    for_each_block(pfn, 1ull << order, [&](std::size_t r, std::uint64_t b, std::uint64_t covered) {
        MTESIM_ASSERT(m_refcount[r][b] >= covered, "tag block refcount underflow");
        m_alloc.work(m_alloc.config().ops.refcount);
        drop_refs(r, b, static_cast<std::uint32_t>(covered));
        if (m_refcount[r][b] == 0 && m_layout.regions()[r].reusable) {
            const Pfn bp = block_pfn(r, b);
            cycles += maintain(bp, m_block_order[r]);
            Zone &z = *m_alloc.zone_of(bp);
            KernelLockGuard zone_lock(m_alloc.kernel_memory(), KernelLockClass::zone, zone_key(m_alloc, z));
            m_alloc.work(m_alloc.config().ops.zone_lock + m_alloc.config().ops.buddy_page); /* __free_one_page */
            m_alloc.touch_page(bp, true);
            z.free_block(bp);
            ++m_alloc.mutable_stats().tag_blocks_released;
        }
        return true;
    });
}

}  // namespace mtesim
