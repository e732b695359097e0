// PageAllocator: zone set-up at boot, the allocation policy of __rmqueue, and the invariant
// checker used by the randomized tests.
#include "mtesim/mm/page_allocator.h"

#include "mtesim/mm/compaction_free_scanner.h"

#include "mtesim/mm/free_list_shuffler.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/mm/kernel_lock_guard.h"
#include "mtesim/mm/mm_error.h"

#include <algorithm>
#include <cmath>

namespace mtesim {

namespace {

constexpr std::uint64_t kDma32LimitPfn = (1ull << 32) >> kPageShift;

AllocClass class_of(GfpFlags gfp) {
    if (gfp.tagged) return AllocClass::tagged;
    switch (gfp.type) {
    case MigrateType::movable: return AllocClass::movable;
    case MigrateType::reclaimable: return AllocClass::reclaimable;
    default: return AllocClass::unmovable;
    }
}

struct Span {
    std::uint64_t begin, end; /* pfns */
    MigrateType type;
};

}  // namespace

/*
 * Boot: every memory range, with its reusable tag storage when the CPUs have MTE, becomes
 * zones (split at 4 GiB and at PageMeta's zone limit). Data pageblocks start MIGRATE_MOVABLE
 * as in Linux; tag-storage pageblocks MIGRATE_CMA (RFC v2/v3). Without MTE the tag storage is
 * plain memory; a static carve-out is never handed to the allocator.
 */
PageAllocator::PageAllocator(const PlatformDesc &desc, const MmConfig &config, IKernelMemory &kmem,
                             const std::vector<AddrRange> &reserved, Vmemmap vmemmap)
    : m_config(config), m_kmem(kmem), m_vmemmap(std::move(vmemmap)) {
    const bool mte = !desc.cpus.empty() && desc.cpus.front().mte_version >= 2;
    std::vector<Span> spans;
    for (std::size_t i = 0; i < desc.memories.size(); ++i) {
        const auto &m = desc.memories[i];
        spans.push_back({pfn_of(m.range.base()).value(), pfn_of(m.range.end()).value(), MigrateType::movable});
        for (const auto &t : desc.tag_storage) {
            if (t.memory_index != i || !t.reusable) continue;
            const std::uint64_t b = pfn_of(t.range.base()).value(), e = pfn_of(t.range.end()).value();
            spans.push_back({b, e, mte ? MigrateType::cma : MigrateType::movable});
            if (mte) m_pool_pages += e - b;
        }
    }
    // Memory boot reserved (memblock) never reaches the free lists.
    for (const AddrRange &r : reserved) {
        const std::uint64_t rb = pfn_of(r.base()).value(), re = pfn_of(r.end()).value();
        std::vector<Span> cut;
        for (const Span &s : spans) {
            if (re <= s.begin || rb >= s.end) {
                cut.push_back(s);
                continue;
            }
            if (s.begin < rb) cut.push_back({s.begin, rb, s.type});
            if (re < s.end) cut.push_back({re, s.end, s.type});
        }
        spans.swap(cut);
    }
    std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) { return a.begin < b.begin; });
    // Group spans into zones: contiguous-enough spans share a zone unless it crosses 4 GiB or
    // grows past what PageMeta can index.
    const std::uint64_t max_zone = (PageMeta::kMaxZonePages - 1) & ~(Zone::kMaxOrderPages - 1);
    std::size_t i = 0;
    while (i < spans.size()) {
        const std::uint64_t zstart = spans[i].begin & ~(Zone::kMaxOrderPages - 1);
        const std::uint64_t limit = std::min<std::uint64_t>(zstart + max_zone, zstart < kDma32LimitPfn ? kDma32LimitPfn : ~0ull);
        std::uint64_t zend = zstart;
        std::size_t j = i;
        std::vector<Span> parts;
        // A hole of more than 1 GiB starts a new zone rather than costing metadata.
        constexpr std::uint64_t kMaxHole = (1ull << 30) >> kPageShift;
        while (j < spans.size() && spans[j].begin < limit && (parts.empty() || spans[j].begin <= zend + kMaxHole)) {
            Span s = spans[j];
            if (s.end > limit) {
                parts.push_back({s.begin, limit, s.type});
                spans[j].begin = limit; /* the rest goes to the next zone */
                zend = limit;
                break;
            }
            parts.push_back(s);
            zend = std::max(zend, s.end);
            ++j;
        }
        auto z = std::make_unique<Zone>((zstart < kDma32LimitPfn ? "DMA32@" : "Normal@") + hex(zstart << kPageShift),
                                        Pfn(zstart), zend - zstart);
        for (const Span &s : parts) z->add_free_range(Pfn(s.begin), s.end - s.begin, s.type);
        /* shuffle_free_memory(): after memblock_free_all, before the first allocation */
        if (m_config.shuffle) FreeListShuffler(m_config.shuffle_seed + m_zones.size()).shuffle(*z);
        m_zones.push_back(std::move(z));
        i = j;
    }
    std::reverse(m_zones.begin(), m_zones.end()); /* highest zone first, as the zonelist */
    // The buddy algorithm's merges and splits read and write other pages' struct pages; the
    // boot's own frees above are not charged (memblock_free_all: docs/timing-model.md, "Boot").
    if (!m_vmemmap.empty())
        for (auto &z : m_zones) z->set_struct_page_hook([this](Pfn p, bool write) { touch_page(p, write); });
    set_watermarks();     /* init_per_zone_wmark_min: setup_per_zone_wmarks, */
    set_lowmem_reserve(); /* then setup_per_zone_lowmem_reserve */
    m_pool = std::make_unique<TagStoragePool>(desc, *this);
    if (config.pcp_lists)
        m_pcp.assign(m_zones.size(), std::vector<PerCpuPages>(std::max<std::size_t>(desc.cpus.size(), 1)));
}

PageAllocator::~PageAllocator() = default;

/* __setup_per_zone_wmarks(): min_free_kbytes = sqrt(16 x lowmem KiB) in [128 KiB, 256 MiB],
 * shared by zones in proportion to their size; low and high above it by
 * max(min/4, 0.1% of the zone) (watermark_scale_factor 10). */
void PageAllocator::set_watermarks() {
    const std::uint64_t total = managed_pages();
    std::uint64_t kbytes = m_config.min_free_kbytes;
    if (kbytes == 0) {
        kbytes = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(total * kPageSize / 1024) * 16.0));
        kbytes = std::clamp<std::uint64_t>(kbytes, 128, 262144);
    }
    const std::uint64_t min_pages = kbytes * 1024 / kPageSize;
    for (auto &z : m_zones) {
        const std::uint64_t managed = z->managed_pages();
        z->wmark_min = total ? min_pages * managed / total : 0;
        const std::uint64_t step = std::max(z->wmark_min / 4, managed * 10 / 10000);
        z->wmark_low = z->wmark_min + step;
        z->wmark_high = z->wmark_low + step;
    }
}

bool PageAllocator::below_4g(const Zone &z) { return z.start().value() < kDma32LimitPfn; }

/*
 * setup_per_zone_lowmem_reserve(): zone i keeps lowmem_reserve[j] = managed(zones i+1..j) /
 * sysctl_lowmem_reserve_ratio[i] pages from a request whose highest usable zone is j > i, so
 * that requests able to use a higher zone leave the lower one to those that cannot (the kernel's
 * ratios: ZONE_DMA and ZONE_DMA32 256, ZONE_NORMAL 32). Every request of the model may use
 * ZONE_NORMAL (GFP_KERNEL, GFP_HIGHUSER_MOVABLE) and none is limited to the 32-bit zone, so
 * the zones below 4 GiB keep managed(Normal) / mm.lowmem_reserve_ratio pages from all of
 * them, and a Normal zone keeps none (its reserve is against ZONE_MOVABLE, which the model
 * lacks: 0 pages). Linux has one zone of each type; the model splits a type at large holes and
 * at PageMeta's index limit, and such parts share their type's reserve in proportion to their
 * size, as they share its watermarks. __zone_watermark_ok adds the reserve to the mark.
 */
void PageAllocator::set_lowmem_reserve() {
    std::uint64_t normal = 0, low = 0;
    for (const auto &z : m_zones) (below_4g(*z) ? low : normal) += z->managed_pages();
    const std::uint64_t ratio = m_config.lowmem_reserve_ratio;
    const std::uint64_t reserve = ratio ? normal / ratio : 0;
    for (auto &z : m_zones) z->lowmem_reserve = below_4g(*z) && low ? reserve * z->managed_pages() / low : 0;
}

Zone *PageAllocator::zone_of(Pfn pfn) {
    for (auto &z : m_zones)
        if (z->contains(pfn)) return z.get();
    return nullptr;
}

/* __zone_watermark_ok(): the zone's free pages (the pool's left out without ALLOC_CMA, the
 * highatomic reserve without ALLOC_HARDER) must be at @mark plus the zone's lowmem_reserve or
 * above once 2^@order are taken ("free_pages <= min + z->lowmem_reserve[highest_zoneidx]" fails,
 * with free_pages less 2^order - 1). */
bool PageAllocator::watermark_ok(const Zone &z, unsigned order, GfpFlags gfp, std::uint64_t mark, bool reserve,
                                 bool alloc_cma) const {
    std::uint64_t usable = z.free_pages() - z.free_pages(MigrateType::isolate);
    if (!alloc_cma && !pool_usable(gfp)) usable -= z.free_pages(MigrateType::cma);
    if (!gfp.atomic) usable -= z.free_pages(MigrateType::highatomic);
    return usable >= mark + (reserve ? z.lowmem_reserve : 0) + (1ull << order);
}

/*
 * __rmqueue() with the pool policy. A movable, untagged request may use MIGRATE_CMA:
 *   linux-balance: the pool first when its free pages exceed half the zone's free pages, else
 *                  the request's own lists, then the pool, then fallback stealing;
 *   cma-first:     the pool, then the own lists, then fallback;
 *   cma-last:      RFC v1's MIGRATE_METADATA order ("mm: Add MIGRATE_METADATA allocation
 *                  policy"): never the pool first; the own lists, then the pool
 *                  (__rmqueue_metadata_fallback, right after __rmqueue_cma_fallback), and
 *                  fallback stealing of other migratetypes' pageblocks (__rmqueue_fallback) only
 *                  after both failed (BACKGROUND.md section 3);
 *   never:         the pool is not used.
 * Atomic high-order requests look at the HIGHATOMIC reserve first; anyone may use it last.
 */
std::optional<Pfn> PageAllocator::rmqueue(Zone &z, unsigned order, GfpFlags gfp, bool &from_cma) {
    const bool cma = pool_usable(gfp);
    from_cma = false;
    auto take_cma = [&]() -> std::optional<Pfn> {
        auto p = z.take_smallest(order, MigrateType::cma);
        from_cma = p.has_value();
        return p;
    };
    if (gfp.atomic && order > 0)
        if (auto p = z.take_smallest(order, MigrateType::highatomic)) return p;
    if (cma && (m_config.cma_policy == CmaPolicy::cma_first ||
                (m_config.cma_policy == CmaPolicy::linux_balance &&
                 z.free_pages(MigrateType::cma) > z.free_pages() / 2)))
        if (auto p = take_cma()) return p;
    if (auto p = z.take_smallest(order, gfp.type)) return p;
    if (cma)
        if (auto p = take_cma()) return p;
    if (auto p = z.take_fallback(order, gfp.type)) return p;
    return z.take_smallest(order, MigrateType::highatomic);
}

bool PageAllocator::pool_usable(GfpFlags gfp) const {
    if (!gfp.may_use_cma() || m_config.cma_policy == CmaPolicy::never) return false;
    // A cleancache pool holds the backend's copies of evicted clean page-cache pages only
    // (alloc_cleancache_page): no allocation of the kernel's own uses it.
    return m_config.tag_reserve != TagReservePath::cleancache;
}

/* zone_batchsize() (mm/page_alloc.c, v6.6): a quarter of the zone's pages / 1024, at most
 * 1 MiB / 4, clamped to 2^n - 1 (so that batches do not alias cache colours), at least 1. */
std::uint64_t PageAllocator::pcp_batch(const Zone &z) const {
    std::uint64_t batch = std::min<std::uint64_t>(z.managed_pages() >> 10, (1ull << 20) / kPageSize) / 4;
    if (batch < 1) batch = 1;
    batch += batch / 2;
    std::uint64_t pow2 = 1;
    while (pow2 * 2 <= batch) pow2 *= 2;
    return std::max<std::uint64_t>(pow2 - 1, 1);
}

/* zone_highsize() (v6.6, percpu_pagelist_high_fraction 0): the zone's low watermark shared by
 * its CPUs, at least four batches. */
std::uint64_t PageAllocator::pcp_high(const Zone &z) const {
    const std::uint64_t cpus = m_pcp.empty() ? 1 : m_pcp.front().size();
    return std::max(z.wmark_low / cpus, pcp_batch(z) << 2);
}

namespace {
unsigned pcp_list_index(MigrateType t) {
    switch (t) {
    case MigrateType::unmovable: return 0;
    case MigrateType::reclaimable: return 2;
    default: return 1; /* movable, and CMA/HIGHATOMIC pages freed (free_unref_page) */
    }
}
}  // namespace

/*
 * rmqueue_pcplist(): the CPU's list for (order, migratetype) serves the request without
 * zone->lock; an empty list is refilled first by rmqueue_bulk(), which takes `batch` blocks
 * (batch >> order, at least 2, for order > 0) through __rmqueue under zone->lock with the
 * request's own pool policy. The pages on the lists are allocated as far as the buddy lists
 * know (PageMeta::kPcp): is_free_buddy_page() is false for them. A request that may not use
 * the pool passes over pool pages on the list (movable lists hold both).
 */
std::optional<Pfn> PageAllocator::rmqueue_pcplist(std::size_t zi, unsigned order, GfpFlags gfp, bool &from_cma) {
    Zone &z = *m_zones[zi];
    PerCpuPages &pcp = pcp_of(zi);
    auto &list = pcp.lists[order][pcp_list_index(gfp.type)];
    const bool may_pool = pool_usable(gfp);
    auto pick = [&]() -> std::optional<Pfn> {
        for (std::size_t i = list.size(); i-- > 0;) {
            if (!may_pool && z.pageblock_type(list[i]) == MigrateType::cma) continue;
            const Pfn p = list[i];
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
            pcp.count -= 1ull << order;
            from_cma = z.pageblock_type(p) == MigrateType::cma;
            return p;
        }
        return std::nullopt;
    };
    /* The list take itself is in the call's entry cost (alloc_pages: ops.alloc_entry). */
    if (auto p = pick()) {
        ++m_stats.pcp_hits;
        return p;
    }
    const std::uint64_t batch = pcp_batch(z);
    const std::uint64_t n = order ? std::max<std::uint64_t>(batch >> order, 2) : batch;
    ++m_stats.pcp_refills;
    KernelLockGuard zone_lock(m_kmem, KernelLockClass::zone, zi); /* rmqueue_bulk: one hold for the batch */
    work(m_config.ops.zone_lock);
    for (std::uint64_t i = 0; i < n; ++i) {
        bool c = false;
        work(m_config.ops.buddy_page); /* one __rmqueue + list_add_tail, the lock already held */
        auto p = rmqueue(z, order, gfp, c);
        if (!p) break;
        touch_page(*p, true); /* del_page_from_free_list, then list_add_tail onto the CPU's list */
        z.mark_allocated(*p, order, gfp.type, PageMeta::State::allocated_head, PageMeta::kPcp);
        list.insert(list.begin(), *p); /* the first taken is used first */
        pcp.count += 1ull << order;
    }
    return pick();
}

/* free_unref_page(): a block of order <= 3 goes to this CPU's list of its pageblock's type
 * (an isolated pageblock's straight to the buddy lists); at pcp->high a batch of the oldest
 * goes back under zone->lock (free_pcppages_bulk). */
bool PageAllocator::free_to_pcp(std::size_t zi, Pfn pfn, unsigned order) {
    if (order > kPcpMaxOrder) return false;
    Zone &z = *m_zones[zi];
    const MigrateType mt = z.pageblock_type(pfn);
    if (mt == MigrateType::isolate) return false;
    const MigrateType list_type = static_cast<MigrateType>(pcp_list_index(mt));
    /* The list put itself is in the call's entry cost (free_pages: ops.free_entry). */
    z.mark_allocated(pfn, order, list_type, PageMeta::State::allocated_head, PageMeta::kPcp);
    PerCpuPages &pcp = pcp_of(zi);
    pcp.lists[order][pcp_list_index(mt)].push_back(pfn);
    pcp.count += 1ull << order;
    ++m_stats.pcp_frees;
    if (pcp.count >= pcp_high(z)) {
        ++m_stats.pcp_spills;
        pcp_return(z, pcp, pcp_batch(z));
    }
    return true;
}

void PageAllocator::pcp_return(Zone &z, PerCpuPages &pcp, std::uint64_t pages) {
    std::uint64_t freed = 0;
    if (!pages || !pcp.count) return;
    std::size_t zi = 0;
    while (m_zones[zi].get() != &z) ++zi;
    KernelLockGuard zone_lock(m_kmem, KernelLockClass::zone, zi); /* free_pcppages_bulk: one hold */
    work(m_config.ops.zone_lock);
    while (freed < pages && pcp.count) {
        for (auto &by_order : pcp.lists)
            for (auto &l : by_order) {
                if (freed >= pages || l.empty()) continue;
                const Pfn p = l.front();
                l.erase(l.begin());
                const std::uint64_t n = 1ull << z.meta(p).order();
                z.meta(p).set_flags(0);
                work(m_config.ops.buddy_page); /* one __free_one_page, the lock already held */
                touch_page(p, true);           /* off the CPU's list, onto a free list */
                z.free_block(p);
                pcp.count -= n;
                freed += n;
            }
    }
}

std::uint64_t PageAllocator::drain_all_pages(Zone &zone) {
    if (m_pcp.empty()) return 0;
    std::uint64_t pages = 0;
    for (std::size_t zi = 0; zi < m_zones.size(); ++zi) {
        if (m_zones[zi].get() != &zone) continue;
        for (PerCpuPages &pcp : m_pcp[zi]) {
            pages += pcp.count;
            pcp_return(zone, pcp, pcp.count);
        }
    }
    ++m_stats.pcp_drains;
    m_stats.pcp_drained_pages += pages;
    return pages;
}

std::uint64_t PageAllocator::lru_cache_disable() {
    const unsigned n = m_kmem.cpus(), self = m_kmem.current_cpu();
    std::vector<LruCacheDisable::Cpu> cpus(n);
    for (unsigned c = 0; c < n; ++c) {
        cpus[c].busy = c == self || m_kmem.cpu_busy(c);
        cpus[c].batch_folios = m_migrator ? m_migrator->lru_batch_folios(c) : 0;
    }
    const LruCacheDisable::Plan plan = LruCacheDisable::plan(m_config.lru_disable, self, cpus);
    for (unsigned c = 0; c < n; ++c) {
        if (c != self && plan.cpu_cycles[c]) m_kmem.charge_remote(c, plan.cpu_cycles[c]);
        if (cpus[c].batch_folios) m_migrator->lru_add_drain_cpu(c);
    }
    if (m_migrator) m_migrator->set_lru_cache_disabled(true);
    ++m_stats.lru_disables;
    m_stats.ipis += plan.rcu_ipis + plan.drain_works - (cpus[self].batch_folios ? 1 : 0);
    m_stats.lru_drain_works += plan.drain_works;
    m_stats.lru_disable_remote_cycles += plan.remote_cycles();
    const std::uint64_t waited = m_kmem.wait_cycles(plan.initiator_cycles);
    m_stats.lru_disable_wait_cycles += waited;
    return waited;
}

void PageAllocator::lru_cache_enable() {
    if (m_migrator) m_migrator->set_lru_cache_disabled(false);
}

std::uint64_t PageAllocator::pcp_pages() const {
    std::uint64_t n = 0;
    for (const auto &zone : m_pcp)
        for (const PerCpuPages &pcp : zone) n += pcp.count;
    return n;
}

PageAllocator::Allocation PageAllocator::alloc_pages(unsigned order, GfpFlags gfp, bool final_attempt) {
    if (order > Zone::kMaxOrder)
        throw MmError("alloc_pages: order " + std::to_string(order) + ", expected at most " + std::to_string(Zone::kMaxOrder));
    if (!m_pool->enabled()) gfp.tagged = false;
    Allocation a;
    // The call's entry cost, once whatever serves it: __alloc_pages, get_page_from_freelist's
    // zone step and watermark test, post_alloc_hook and rmqueue_pcplist's list take (or
    // rmqueue_buddy's per-call work). A refill or a buddy take adds zone->lock and a per-block
    // cost below.
    work(m_config.ops.alloc_entry);
    const AllocClass cls = class_of(gfp);
    const bool use_pcp = !m_pcp.empty() && order <= kPcpMaxOrder && !(gfp.atomic && order > 0);
    // Pass 0 is get_page_from_freelist's fast path with ALLOC_WMARK_LOW: a zone serves the
    // request only while it stays at its low watermark, so the zonelist falls back to the next
    // zone before any zone goes below low. Pass 1 is __alloc_pages_slowpath's first attempt,
    // with ALLOC_WMARK_MIN, after wake_all_kswapds (the caller wakes kswapd when free memory is
    // below the low watermarks: Kernel::wake_kswapd). Pass 2 repeats it after draining every
    // per-CPU list, as __alloc_pages_direct_reclaim does (drain_all_pages) when an allocation
    // fails while pages sit on them.
    for (int pass = 0; pass < 3 && !a.ok; ++pass) {
      if (pass == 2) {
          if (!pcp_pages()) break;
          for (auto &z : m_zones) drain_all_pages(*z);
      }
      for (std::size_t zi = 0; zi < m_zones.size(); ++zi) {
        auto &z = m_zones[zi];
        // An OOM victim's retry (ALLOC_OOM) goes straight to the min watermark, halved.
        const std::uint64_t mark = gfp.oom_reserves ? z->wmark_min - z->wmark_min / 2
                                   : pass == 0      ? z->wmark_low
                                                    : z->wmark_min;
        if (!watermark_ok(*z, order, gfp, mark)) continue;
        bool from_cma = false;
        std::optional<Pfn> p;
        if (use_pcp) {
            p = rmqueue_pcplist(zi, order, gfp, from_cma);
        } else {
            KernelLockGuard zone_lock(m_kmem, KernelLockClass::zone, zi); /* rmqueue_buddy: __rmqueue under zone->lock */
            work(m_config.ops.zone_lock + m_config.ops.buddy_page);
            p = rmqueue(*z, order, gfp, from_cma);
        }
        if (!p) continue;
        // reserve_highatomic_pageblock(): a high-order atomic allocation keeps its pageblock
        // for later atomic requests, up to 1% of the zone plus one pageblock (Linux's limit).
        if (gfp.atomic && order > 0 && z->pageblock_type(*p) != MigrateType::highatomic &&
            z->pageblock_type(*p) != MigrateType::cma && z->pageblock_type(*p) != MigrateType::isolate &&
            z->highatomic_pageblocks * kPageblockPages < z->managed_pages() / 100 + kPageblockPages) {
            z->set_pageblock_type(*p, MigrateType::highatomic);
            z->move_free_pages_block(*p, MigrateType::highatomic);
            ++z->highatomic_pageblocks;
        }
        z->mark_allocated(*p, order, gfp.type, PageMeta::State::allocated_head, gfp.tagged ? PageMeta::kTagged : 0);
        touch_page(*p, true); /* the list take, then prep_new_page / post_alloc_hook on the head */
        a.ok = true;
        a.pfn = *p;
        if (from_cma) ++m_stats.cma_allocs;
        break;
      }
    }
    if (!a.ok) {
        // Starvation (the reviewer's concern on RFC v1): an unmovable request that fails, or
        // needs reclaim or the OOM killer, while the pool has the pages. Counted once per
        // allocation: inside a slow path (SlowPath scope) only at its first failure.
        if (gfp.type == MigrateType::unmovable && free_pages(MigrateType::cma) >= (1ull << order)) {
            if (m_slow_depth == 0) ++m_stats.starvation;
            else if (!m_slow_starved) {
                ++m_stats.starvation;
                m_slow_starved = true;
            }
        }
        if (final_attempt) ++m_stats.alloc_failures[static_cast<unsigned>(gfp.type)];
        a.cycles += take_work();
        return a;
    }
    if (gfp.tagged) {
        std::uint64_t cycles = 0;
        const std::uint64_t data_work = take_work(); /* the reservation's bookkeeping counted apart */
        if (!m_pool->reserve(a.pfn, order, cycles)) {
            a.tags_pending = true;
            zone_of(a.pfn)->meta(a.pfn).set_flags(PageMeta::kTagged | PageMeta::kTagsPending);
        }
        cycles += take_work();
        m_work = data_work;
        m_stats.reserve_cycles += cycles;
        a.cycles += cycles;
    }
    a.cycles += take_work();
    ++m_stats.allocs[static_cast<unsigned>(cls)];
    m_stats.alloc_cycles[static_cast<unsigned>(cls)].add(a.cycles);
    return a;
}

std::uint64_t PageAllocator::free_pages(Pfn pfn) {
    Zone *z = zone_of(pfn);
    if (!z || z->meta(pfn).state() != PageMeta::State::allocated_head || (z->meta(pfn).flags() & PageMeta::kPcp))
        throw MmError("free_pages: pfn " + hex(pfn.value()) + " is not the head of an allocated block");
    const PageMeta m = z->meta(pfn);
    std::uint64_t cycles = 0;
    // The call's entry cost: free_pages_prepare, free_unref_page and free_unref_page_commit's
    // list put. A spill (free_pcppages_bulk) or a buddy free adds zone->lock and per block.
    work(m_config.ops.free_entry);
    touch_page(pfn, true); /* free_pages_prepare's checks and flag clearing, the list put */
    if ((m.flags() & PageMeta::kTagged) && !(m.flags() & PageMeta::kTagsPending)) m_pool->release(pfn, m.order(), cycles);
    std::size_t zi = 0;
    while (m_zones[zi].get() != z) ++zi;
    if (m_pcp.empty() || !free_to_pcp(zi, pfn, m.order())) {
        KernelLockGuard zone_lock(m_kmem, KernelLockClass::zone, zi); /* free_one_page: __free_one_page under zone->lock */
        work(m_config.ops.zone_lock + m_config.ops.buddy_page);
        z->free_block(pfn);
    }
    ++m_stats.frees;
    return cycles + take_work();
}

bool PageAllocator::is_allocated_head(Pfn pfn) {
    Zone *z = zone_of(pfn);
    return z && z->meta(pfn).state() == PageMeta::State::allocated_head && !(z->meta(pfn).flags() & PageMeta::kPcp);
}

void PageAllocator::set_pinned(Pfn pfn, bool pinned) {
    Zone *z = zone_of(pfn);
    if (!z || z->meta(pfn).state() != PageMeta::State::allocated_head)
        throw MmError("set_pinned: pfn " + hex(pfn.value()) + " is not the head of an allocated block");
    PageMeta &m = z->meta(pfn);
    m.set_flags(pinned ? (m.flags() | PageMeta::kPinned) : (m.flags() & ~PageMeta::kPinned));
}

bool PageAllocator::retry_tag_reservation(Pfn pfn) {
    Zone *z = zone_of(pfn);
    if (!z || z->meta(pfn).state() != PageMeta::State::allocated_head)
        throw MmError("retry_tag_reservation: pfn " + hex(pfn.value()) + " is not the head of an allocated block");
    PageMeta &m = z->meta(pfn);
    if (!(m.flags() & PageMeta::kTagsPending)) return true;
    std::uint64_t cycles = 0;
    const std::uint64_t before = take_work();
    const bool ok = m_pool->reserve(pfn, m.order(), cycles);
    cycles += take_work(); /* charged already; counted in the reservation's cycles */
    m_work = before;
    m_stats.reserve_cycles += cycles;
    if (ok) m.set_flags(m.flags() & ~PageMeta::kTagsPending);
    return ok;
}

/*
 * Migration of one allocated block (migrate_pages for a single folio): only movable,
 * unpinned blocks move. The destination comes from outside the pool and outside isolated
 * pageblocks; the contents are copied through the memory system, the owner repoints each PTE
 * mapping the block and shoots down each one's TLB entry (IPageMigrator::move: try_to_migrate_one's
 * flush of a present PTE; remove_migration_ptes installs the new one without a flush), and the
 * old block is freed (into its pageblock's list: the isolate list during alloc_contig_range).
 * The allocator itself flushes nothing: a block mapped nowhere (an unmapped page-cache page, or
 * any block when no migrator is registered) has no TLB entry to drop. In a batch
 * (@opt.tlb_batch: migrate_pages_batch's asynchronous pass) the owner's TLBIs are deferred to
 * the batch's one DSB ISH; a migration that had to wait for I/O is the synchronous one-by-one
 * pass's (migrate_pages_sync), which flushes at once.
 */
bool PageAllocator::migrate_block(Pfn head, std::uint64_t &cycles, const MigrateOptions &opt) {
    Zone *z = zone_of(head);
    MTESIM_ASSERT(z && z->meta(head).state() == PageMeta::State::allocated_head, "migrate_block of a non-head");
    const PageMeta m = z->meta(head);
    if (m.flags() & PageMeta::kPcp) return false; /* on a per-CPU list: drained, not migrated */
    if (m.flags() & PageMeta::kPinned) {
        ++m_stats.migrate_blocked_pinned;
        return false;
    }
    if (m.type() != MigrateType::movable) {
        ++m_stats.migrate_blocked_unmovable;
        return false;
    }
    // isolate_migratepages_block: only a folio on an LRU list can be isolated. One still in a
    // CPU's LRU-add batch is passed over (transient: lru_cache_disable drains the batches), a
    // cleancache backend page is never on one.
    // migrate_folio_unmap: folio_trylock fails on a page locked for I/O (a read filling it, a
    // write-back being started). MIGRATE_ASYNC gives up (-EAGAIN); the sync modes sleep in
    // folio_lock until the I/O unlocks it, as migrate_pages_sync's one-by-one pass does after
    // the asynchronous batch failed. The lock comes before the write-back check.
    bool waited = false; /* the synchronous pass took it: its flush is its own */
    if (m_migrator && m_migrator->isolate_busy(head) == IPageMigrator::Busy::locked) {
        ++m_stats.migrate_busy_locked;
        if (opt.mode == MigrateMode::async) return false;
        waited = true;
        cycles += m_kmem.io_wait_until(m_kmem.now_ps() + m_migrator->locked_left_ps(head));
        ++m_stats.migrate_lock_waits;
    }
    if (m_migrator) switch (m_migrator->isolate_busy(head)) {
        case IPageMigrator::Busy::none: break;
        case IPageMigrator::Busy::lru_batch: ++m_stats.migrate_busy_lru_batch; return false;
        case IPageMigrator::Busy::locked: return false; /* not after the wait: its I/O had ended */
        case IPageMigrator::Busy::writeback:
            // migrate_folio_unmap: MIGRATE_ASYNC gives up on a folio under write-back (-EBUSY);
            // the sync modes wait for it (folio_wait_writeback), as migrate_pages_sync's
            // second, one-by-one pass does after the first, asynchronous one failed.
            ++m_stats.migrate_busy_writeback;
            if (opt.mode == MigrateMode::async) return false;
            waited = true;
            cycles += m_kmem.io_wait_until(m_kmem.now_ps() + m_migrator->writeback_left_ps(head));
            ++m_stats.migrate_writeback_waits;
            break;
        case IPageMigrator::Busy::not_lru: ++m_stats.migrate_blocked_not_lru; return false;
        }
    std::optional<Pfn> dest;
    for (auto &dz : m_zones) {
        if (opt.free_scanner && dz.get() != z) continue; /* compaction stays in its zone */
        /* __isolate_free_page tests min + 2^order with ALLOC_CMA: the pool's free pages count */
        if (!watermark_ok(*dz, m.order(), GfpFlags{MigrateType::unmovable, false, false}, dz->wmark_min, !opt.free_scanner,
                          opt.free_scanner))
            continue;
        if (opt.scanner) {
            if ((dest = opt.scanner->take(m.order(), opt.migrate_block)))
                dz->mark_allocated(*dest, m.order(), MigrateType::movable, PageMeta::State::allocated_head,
                                   m.flags() & ~PageMeta::kTagsPending);
            break;
        }
        if ((dest = dz->take_smallest(m.order(), MigrateType::movable)) ||
            (dest = dz->take_fallback(m.order(), MigrateType::movable))) {
            dz->mark_allocated(*dest, m.order(), MigrateType::movable, PageMeta::State::allocated_head,
                               m.flags() & ~PageMeta::kTagsPending);
            break;
        }
    }
    if (!dest) {
        ++m_stats.migrate_no_destination;
        return false;
    }
    const bool tagged = (m.flags() & PageMeta::kTagged) != 0;
    const bool src_reserved = tagged && !(m.flags() & PageMeta::kTagsPending);
    // The destination's tag storage: a refcount hit or a free block, never a nested migration.
    if (tagged && !m_pool->reserve(*dest, m.order(), cycles, false))
        zone_of(*dest)->meta(*dest).set_flags(m.flags() | PageMeta::kTagsPending);
    const std::uint64_t pages = 1ull << m.order();
    cycles += m_kmem.copy_pages(head, *dest, pages);
    if (m_migrator && !m_migrator->move(head, *dest, m.order(), waited ? nullptr : opt.tlb_batch)) {
        const PageMeta dm = zone_of(*dest)->meta(*dest);
        if (tagged && !(dm.flags() & PageMeta::kTagsPending)) m_pool->release(*dest, m.order(), cycles);
        zone_of(*dest)->free_block(*dest);
        return false;
    }
    if (src_reserved) m_pool->release(head, m.order(), cycles);
    z->free_block(head);
    m_stats.pages_migrated += pages;
    if (tagged) m_stats.tagged_pages_migrated += pages;
    return true;
}

std::optional<Pfn> PageAllocator::alloc_cleancache_page() { return m_pool->take_cache_page(); }

void PageAllocator::mark_tagged(Pfn pfn) {
    Zone *z = zone_of(pfn);
    if (!z || z->meta(pfn).state() != PageMeta::State::allocated_head)
        throw MmError("mark_tagged: pfn " + hex(pfn.value()) + " is not the head of an allocated block");
    PageMeta &m = z->meta(pfn);
    if (!m_pool->enabled() || (m.flags() & PageMeta::kTagged)) return;
    m.set_flags(m.flags() | PageMeta::kTagged | PageMeta::kTagsPending);
}

std::uint64_t PageAllocator::block_flags(Pfn pfn) {
    Zone *z = zone_of(pfn);
    if (!z || z->meta(pfn).state() != PageMeta::State::allocated_head) return 0;
    return z->meta(pfn).flags();
}

bool PageAllocator::in_pool(Pfn pfn) {
    Zone *z = zone_of(pfn);
    if (!z) return false;
    const MigrateType t = z->pageblock_type(pfn);
    return m_pool_pages && (t == MigrateType::cma || (t == MigrateType::isolate && m_pool->layout().tag_region_of(phys_of(pfn))));
}

std::uint64_t PageAllocator::free_pages_without_pool() const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += z->free_pages() - z->free_pages(MigrateType::cma) - z->free_pages(MigrateType::isolate);
    return n;
}

std::uint64_t PageAllocator::watermark_pages(bool high) const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += (high ? z->wmark_high : z->wmark_low) + z->lowmem_reserve;
    return n;
}

/* __zone_watermark_ok for order > 0: the count test (watermark_ok), then a free block of the
 * order or larger on a list the request may take: MIGRATE_PCPTYPES only, as neither kswapd's
 * nor kcompactd's test passes ALLOC_CMA or ALLOC_HIGHATOMIC. */
bool PageAllocator::order_available(unsigned order, bool high) const {
    for (const auto &zp : m_zones) {
        const Zone &z = *zp;
        if (!watermark_ok(z, order, kGfpKernel, high ? z.wmark_high : z.wmark_min)) continue;
        for (unsigned o = order; o <= Zone::kMaxOrder; ++o)
            for (unsigned t = 0; t < kPcpTypes; ++t)
                if (z.nr_free(o, static_cast<MigrateType>(t))) return true;
    }
    return false;
}

std::uint64_t PageAllocator::watermark_min_pages() const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += z->wmark_min + z->lowmem_reserve;
    return n;
}

std::uint64_t PageAllocator::managed_pages() const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += z->managed_pages();
    return n;
}

std::uint64_t PageAllocator::free_pages() const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += z->free_pages();
    return n;
}

std::uint64_t PageAllocator::free_pages(MigrateType t) const {
    std::uint64_t n = 0;
    for (const auto &z : m_zones) n += z->free_pages(t);
    return n;
}

std::uint64_t PageAllocator::pool_pages_holding_tags() const { return m_pool->reserved_pages(); }

std::uint64_t PageAllocator::pool_pages_holding_data() const {
    // Pool pages that are neither free nor holding tags hold data (possibly while isolated).
    const std::uint64_t free_pool = free_pages(MigrateType::cma);
    return m_pool_pages - std::min(m_pool_pages, free_pool + pool_pages_holding_tags());
}

double PageAllocator::metadata_bytes_per_page() const {
    std::uint64_t bytes = 0, pages = 0;
    for (const auto &z : m_zones) {
        bytes += z->span_pages() * sizeof(PageMeta);
        pages += z->span_pages();
    }
    return pages ? static_cast<double>(bytes) / static_cast<double>(pages) : 0.0;
}

double PageAllocator::side_table_bytes_per_page() const {
    std::uint64_t bytes = 0, pages = 0;
    for (const auto &z : m_zones) {
        bytes += z->metadata_bytes() - z->span_pages() * sizeof(PageMeta);
        pages += z->span_pages();
    }
    for (std::size_t r = 0; r < m_pool->regions(); ++r)
        bytes += m_pool->layout().regions()[r].block_count() * sizeof(std::uint32_t);
    return pages ? static_cast<double>(bytes) / static_cast<double>(pages) : 0.0;
}

/*
 * The invariants, by walking every block head of every zone once: each page belongs to
 * exactly one block (free, allocated or tag storage) or is absent; the free lists' counters
 * match the free blocks found; a reserved tag block is held as tag storage and an unreserved
 * one is not; each refcount equals the tagged data pages it covers.
 */
std::string PageAllocator::check_invariants(bool deep) const {
    std::vector<std::vector<std::uint64_t>> covered(m_pool->regions());
    for (std::size_t r = 0; r < m_pool->regions(); ++r) covered[r].assign(m_pool->layout().regions()[r].block_count(), 0);
    for (std::size_t zi = 0; zi < m_zones.size(); ++zi) {
        const Zone &z = *m_zones[zi];
        std::array<std::uint64_t, kMigrateTypes> free_found{};
        std::uint64_t pcp_found = 0, pcp_listed = 0;
        for (std::uint64_t p = 0; p < z.span_pages();) {
            const Pfn pfn = z.start() + p;
            const PageMeta &m = z.meta(pfn);
            const std::uint64_t n = 1ull << m.order();
            switch (m.state()) {
            case PageMeta::State::absent: ++p; continue;
            case PageMeta::State::tail:
                return z.name() + ": page " + hex(pfn.value()) + " belongs to no block";
            case PageMeta::State::free_head:
                if (p % n) return z.name() + ": free block " + hex(pfn.value()) + " misaligned";
                free_found[static_cast<unsigned>(m.type())] += n;
                break;
            case PageMeta::State::allocated_head:
                if (m.flags() & PageMeta::kPcp) pcp_found += n;
                if ((m.flags() & PageMeta::kTagged) && !(m.flags() & PageMeta::kTagsPending))
                    m_pool->for_each_block(pfn, n, [&](std::size_t r, std::uint64_t b, std::uint64_t c) {
                        covered[r][b] += c;
                        return true;
                    });
                break;
            case PageMeta::State::tag_storage: break;
            }
            if (deep)
                for (std::uint64_t q = 1; q < n; ++q)
                    if (p + q < z.span_pages() && z.meta(pfn + q).state() != PageMeta::State::tail)
                        return z.name() + ": page " + hex((pfn + q).value()) + " is in two blocks";
            p += n;
        }
        // Every page on a per-CPU list is a kPcp block of the list's order, and nothing else is.
        if (!m_pcp.empty())
            for (const PerCpuPages &pcp : m_pcp[zi]) {
                std::uint64_t listed = 0;
                for (unsigned o = 0; o <= kPcpMaxOrder; ++o)
                    for (const auto &l : pcp.lists[o])
                        for (Pfn q : l) {
                            const PageMeta &qm = z.meta(q);
                            if (qm.state() != PageMeta::State::allocated_head || !(qm.flags() & PageMeta::kPcp) || qm.order() != o)
                                return z.name() + ": per-CPU list entry " + hex(q.value()) + " is not a per-CPU block of order " +
                                       std::to_string(o);
                            listed += 1ull << o;
                        }
                if (listed != pcp.count) return z.name() + ": per-CPU count " + std::to_string(pcp.count) + " but " + std::to_string(listed) + " listed";
                pcp_listed += listed;
            }
        if (pcp_found != pcp_listed)
            return z.name() + ": " + std::to_string(pcp_found) + " pages marked per-CPU, " + std::to_string(pcp_listed) + " on the lists";
        // Outside alloc_contig_range no pageblock is isolated: nothing may sit on the isolate lists.
        if (z.free_pages(MigrateType::isolate) != 0)
            return z.name() + ": " + std::to_string(z.free_pages(MigrateType::isolate)) + " free pages left on the isolate lists";
        for (unsigned t = 0; t < kMigrateTypes; ++t)
            if (free_found[t] != z.free_pages(static_cast<MigrateType>(t)))
                return z.name() + ": " + migrate_type_name(static_cast<MigrateType>(t)) + " free counter " +
                       std::to_string(z.free_pages(static_cast<MigrateType>(t))) + " but " + std::to_string(free_found[t]) +
                       " free pages on the lists";
    }
    for (std::size_t r = 0; r < m_pool->regions(); ++r) {
        const bool reusable = m_pool->layout().regions()[r].reusable;
        for (std::uint64_t b = 0; b < covered[r].size(); ++b) {
            if (covered[r][b] != m_pool->refcount(r, b))
                return "tag block " + std::to_string(b) + " of region " + std::to_string(r) + ": refcount " +
                       std::to_string(m_pool->refcount(r, b)) + " but " + std::to_string(covered[r][b]) +
                       " tagged pages covered";
            if (!reusable) continue;
            const Pfn bp = m_pool->block_pfn(r, b);
            const Zone *z = nullptr;
            for (const auto &zz : m_zones)
                if (zz->contains(bp)) z = zz.get();
            if (!z) continue;
            const bool held = z->meta(bp).state() == PageMeta::State::tag_storage;
            if ((m_pool->refcount(r, b) > 0) != held)
                return "tag block " + hex(bp.value()) + (held ? " held as tag storage with refcount 0"
                                                              : " reserved but free or holding data");
        }
    }
    return "";
}

}  // namespace mtesim
