// PageAllocator: the kernel's page allocator over the board's memory, following
// mm/page_alloc.c and mm/cma.c (BACKGROUND.md section 3). Zones come from the DT memory ranges
// (split at 4 GiB into ZONE_DMA32 and ZONE_NORMAL); each reusable tag-storage region joins its
// zone as MIGRATE_CMA pageblocks (plain movable memory when the CPUs lack MTE; nothing at all
// for a static carve-out). alloc_pages() applies the watermark, the CMA usage policy and the
// migratetype fallbacks; a tagged allocation then has its tag storage reserved by the
// TagStoragePool. Allocation failure is a result, counted, never an exception.
#pragma once

#include "mtesim/dt/platform_desc.h"
#include "mtesim/mm/i_kernel_memory.h"
#include "mtesim/mm/i_page_migrator.h"
#include "mtesim/mm/migrate_options.h"
#include "mtesim/mm/mm_config.h"
#include "mtesim/mm/mm_stats.h"
#include "mtesim/mm/tag_storage_pool.h"
#include "mtesim/mm/vmemmap.h"
#include "mtesim/mm/zone.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class CompactionFreeScanner;

class PageAllocator {
public:
    /// @reserved: memory boot already took (page tables and the memmap, via memblock), never
    /// handed out. @vmemmap: where each page's struct page lies (empty: the model keeps no
    /// memmap and its bookkeeping touches none, mm.memmap false or no boot).
    PageAllocator(const PlatformDesc &desc, const MmConfig &config, IKernelMemory &kmem,
                  const std::vector<AddrRange> &reserved = {}, Vmemmap vmemmap = {});
    ~PageAllocator();

    void set_migrator(IPageMigrator *migrator) { m_migrator = migrator; }

    struct Allocation {
        bool ok = false;
        Pfn pfn;
        bool tags_pending = false;   /* tagged, but tag storage could not be reserved yet */
        std::uint64_t cycles = 0;    /* core cycles the allocation took */
        /* Kernel::kalloc: not served yet, an OOM victim is exiting (its memory comes back when it
         * has): sleep a jiffy and ask again (schedule_timeout_killable(1), then "goto retry") */
        bool oom_wait = false;
    };

    /// One allocation's slow path (__alloc_pages_slowpath: reclaim, compaction, retries):
    /// while a scope is open, the attempts it makes count as one allocation for starvation.
    class SlowPath {
    public:
        explicit SlowPath(PageAllocator &a) : m_a(a) { ++m_a.m_slow_depth; }
        ~SlowPath() {
            if (--m_a.m_slow_depth == 0) m_a.m_slow_starved = false;
        }
        SlowPath(const SlowPath &) = delete;
        SlowPath &operator=(const SlowPath &) = delete;

    private:
        PageAllocator &m_a;
    };

    /// Allocates 2^@order pages. Throws MmError for an order above Zone::kMaxOrder. A failure
    /// is counted only when @final_attempt (a caller that reclaims and retries counts once).
    Allocation alloc_pages(unsigned order, GfpFlags gfp, bool final_attempt = true);
    /// Frees the allocated block at @pfn; returns the cycles it took. Throws MmError when @pfn
    /// is not the head of an allocated block.
    std::uint64_t free_pages(Pfn pfn);
    /// True when @pfn is the first page of an allocated block (what free_pages accepts).
    bool is_allocated_head(Pfn pfn);
    /// Pins or unpins the allocated block at @pfn (a pinned block cannot migrate).
    void set_pinned(Pfn pfn, bool pinned);
    /// mprotect(PROT_MTE) on a page allocated untagged: the block at @pfn becomes tagged with
    /// its storage not yet reserved (reserved at the first access, retry_tag_reservation).
    void mark_tagged(Pfn pfn);
    /// A free page of the tag-storage pool for a cleancache put (TagStoragePool::take_cache_page),
    /// or nullopt when the pool has none free.
    std::optional<Pfn> alloc_cleancache_page();
    /// Flags of the allocated block at @pfn (PageMeta::kTagged...), 0 when not allocated.
    std::uint64_t block_flags(Pfn pfn);
    /// True when @pfn lies in a pageblock of the tag-storage pool (MIGRATE_CMA).
    bool in_pool(Pfn pfn);
    /// Whether the pool's free pages may take movable data at all (a policy other than never,
    /// a reservation path other than cleancache): then compaction's free scanner takes them as
    /// any MIGRATE_CMA pageblock's (suitable_migration_target: is_migrate_movable).
    bool pool_takes_movable_data() const { return pool_usable(kGfpHighUserMovable); }
    /// Whether @gfp may take pages of the pool (ALLOC_CMA under the configured policies).
    bool pool_usable(GfpFlags gfp) const;
    /// Free pages an allocation without ALLOC_CMA can count on (the pool's free pages left
    /// out, as __zone_watermark_ok does), and the sum of the zones' @low or high watermark,
    /// each with the zone's lowmem_reserve (the mark __zone_watermark_ok tests a zone against).
    std::uint64_t free_pages_without_pool() const;
    std::uint64_t watermark_pages(bool high) const;
    /// Whether some zone could give a block of 2^@order pages to a request without ALLOC_CMA
    /// and keep its @high (else min) watermark plus its lowmem_reserve, from a free block of
    /// that order or larger on an unmovable, movable or reclaimable list: __zone_watermark_ok
    /// for order > 0, as pgdat_balanced tests each zone at the high mark (kswapd) and
    /// compaction_suit_allocation_order at min (kcompactd: nothing to compact).
    bool order_available(unsigned order, bool high) const;
    std::uint64_t watermark_min_pages() const;
    /// Whether @z can give 2^@order pages to @gfp and keep @mark plus its lowmem_reserve free
    /// pages (__zone_watermark_ok's count test); @reserve false: without the lowmem_reserve
    /// (highest_zoneidx 0, as compaction's free scanner asks); @alloc_cma: the pool's free
    /// pages count whatever @gfp (ALLOC_CMA, as compaction's free scanner passes).
    bool watermark_ok(const Zone &z, unsigned order, GfpFlags gfp, std::uint64_t mark, bool reserve = true,
                      bool alloc_cma = false) const;
    /// Retries the tag reservation of a tagged block whose storage was pending (fault on
    /// access); true once reserved.
    bool retry_tag_reservation(Pfn pfn);

    /**
     * migrate_block - move the allocated block at @head elsewhere (outside the pool)
     * Return: true when the block was copied, its owner told and the old block freed; false
     * when it is pinned, not movable, its owner refused or no destination was free. The
     * cycles of the copy are added to @cycles (the TLB flushes of its mappings are the owner's,
     * IPageMigrator::move). A tagged block's destination
     * gets its tag storage only when that needs no migration; otherwise it is marked pending
     * and the owner keeps the tags in the pfn xarray (IPageMigrator::move). A page the owner
     * cannot isolate now (IPageMigrator::isolate_busy) is refused, except that @opt.mode MigrateMode::sync
     * (MIGRATE_SYNC: alloc_contig_range, migrate_pages) waits for a write-back to complete.
     * @opt also says where the destination comes from (MigrateOptions).
     */
    bool migrate_block(Pfn head, std::uint64_t &cycles, const MigrateOptions &opt = {});

    Zone *zone_of(Pfn pfn);
    const std::vector<std::unique_ptr<Zone>> &zones() const { return m_zones; }
    const MmStats &stats() const { return m_stats; }
    MmStats &mutable_stats() { return m_stats; }
    const MmConfig &config() const { return m_config; }
    const TagStoragePool &tag_pool() const { return *m_pool; }
    IKernelMemory &kernel_memory() { return m_kmem; }
    /// Kernel bookkeeping of @n instructions on the current core (IKernelMemory::instructions):
    /// charged now, and collected into the cycles the current operation returns.
    void work(std::uint64_t n) {
        if (n) m_work += m_kmem.instructions(n);
    }
    /// The kernel reads (@write: writes) @pfn's struct page: its memmap line through the
    /// current core's caches, charged now and collected as work() is. Nothing where the model
    /// has no memmap, or for a pfn in no present section (no struct page: pfn_valid fails).
    void touch_page(Pfn pfn, bool write) { m_work += struct_page_access(pfn, write); }
    /// The same access for kernel code outside the allocator (a fault mapping a page-cache
    /// page, a COW, a swap-in): charged now, its cycles returned to the caller.
    std::uint64_t struct_page_access(Pfn pfn, bool write) {
        return m_vmemmap.has(pfn) ? m_kmem.touch_line(m_vmemmap.struct_page(pfn), write) : 0;
    }
    /// A walk looks at @pfn (isolation, compaction's scanners, an LRU or page-cache scan):
    /// ops.page_scan instructions and a load of its struct page.
    void scan_page(Pfn pfn) {
        work(m_config.ops.page_scan);
        touch_page(pfn, false);
    }
    /// The bookkeeping cycles charged since the last call (returned with an operation).
    std::uint64_t take_work() {
        const std::uint64_t w = m_work;
        m_work = 0;
        return w;
    }

    /// drain_all_pages(@zone): every CPU's per-CPU lists of @zone back to the buddy lists
    /// (each page to its pageblock's list: an isolated pageblock keeps them). Returns pages.
    std::uint64_t drain_all_pages(Zone &zone);
    /// lru_cache_disable() (mm/swap.c) on the current CPU: an expedited RCU grace period and
    /// every CPU's LRU-add batch drained (LruCacheDisable::plan); other CPUs are charged their
    /// share, the caller's wait is returned (already charged).
    std::uint64_t lru_cache_disable();
    /// lru_cache_enable(): new folios use the per-CPU batches again.
    void lru_cache_enable();
    /// Pages held on per-CPU lists now, over every zone and CPU.
    std::uint64_t pcp_pages() const;
    /// The per-CPU list sizes of @zone (zone_batchsize / zone_highsize), in pages.
    std::uint64_t pcp_batch(const Zone &zone) const;
    std::uint64_t pcp_high(const Zone &zone) const;

    std::uint64_t managed_pages() const;
    std::uint64_t free_pages() const;
    std::uint64_t free_pages(MigrateType t) const;
    /// Pages of the pool (reusable tag storage), and those of them holding data or tags now.
    std::uint64_t pool_pages() const { return m_pool_pages; }
    std::uint64_t pool_pages_holding_data() const;
    std::uint64_t pool_pages_holding_tags() const;
    /// Host bytes of per-page metadata (PageMeta) per simulated page: 8.
    double metadata_bytes_per_page() const;
    /// Host bytes of the per-pageblock and per-tag-block tables, per simulated page.
    double side_table_bytes_per_page() const;

    /// Checks every invariant (each page accounted once, free counters, no tag block both
    /// free or holding data and reserved, refcounts equal the tagged pages they cover).
    /// @deep also checks every tail page (O(pages) instead of O(blocks)). Returns an empty
    /// string, or what is wrong.
    std::string check_invariants(bool deep = false) const;

private:
    /// struct per_cpu_pages of one zone on one CPU: a list per order 0..kPcpMaxOrder and
    /// per PCP migratetype (unmovable, movable, reclaimable), the pages held.
    static constexpr unsigned kPcpMaxOrder = 3; /* PAGE_ALLOC_COSTLY_ORDER */
    struct PerCpuPages {
        std::array<std::array<std::vector<Pfn>, 3>, kPcpMaxOrder + 1> lists;
        std::uint64_t count = 0; /* in pages */
    };
    std::optional<Pfn> rmqueue(Zone &z, unsigned order, GfpFlags gfp, bool &from_cma);
    std::optional<Pfn> rmqueue_pcplist(std::size_t zi, unsigned order, GfpFlags gfp, bool &from_cma);
    bool free_to_pcp(std::size_t zi, Pfn pfn, unsigned order);
    void pcp_return(Zone &z, PerCpuPages &pcp, std::uint64_t pages);
    PerCpuPages &pcp_of(std::size_t zi) { return m_pcp[zi][m_kmem.current_cpu() % m_pcp[zi].size()]; }
    void set_watermarks();
    /// Each zone's lowmem_reserve (setup_per_zone_lowmem_reserve), from the zones' sizes.
    void set_lowmem_reserve();
    /// A zone below 4 GiB (arm64's ZONE_DMA/DMA32: the zone type the model names DMA32).
    static bool below_4g(const Zone &z);

    MmConfig m_config;
    IKernelMemory &m_kmem;
    Vmemmap m_vmemmap; /* struct page addresses (empty: none touched) */
    IPageMigrator *m_migrator = nullptr;
    std::uint64_t m_work = 0; /* bookkeeping cycles not yet returned (work/take_work) */
public:
    IPageMigrator *migrator() const { return m_migrator; }
private:
    std::vector<std::unique_ptr<Zone>> m_zones; /* highest first: the zonelist order */
    std::unique_ptr<TagStoragePool> m_pool;
    std::vector<std::vector<PerCpuPages>> m_pcp; /* [zone][cpu], when mm.pcp_lists */
    std::uint64_t m_pool_pages = 0;
    MmStats m_stats;
    unsigned m_slow_depth = 0;     /* open SlowPath scopes */
    bool m_slow_starved = false;   /* the open slow path already counted its starvation */

    friend class TagStoragePool;
};

}  // namespace mtesim
