// PageMigrator: migration of user pages (mm/migrate.c reduced to what the model needs), the
// IPageMigrator the page allocator calls as it moves blocks (compaction, alloc_contig_range,
// migrate_pages). It repoints every PTE of a moved page and carries its tags and data, tells
// the allocator why a page cannot be isolated now (an LRU-add batch, write-back), drops
// cleancache pool copies, keeps the per-CPU LRU-add batches, and unmaps a page everywhere
// (try_to_unmap) for reclaim. It uses the kernel's parts it is given, not the Kernel.
#pragma once

#include "mtesim/kernel/cleancache.h"
#include "mtesim/kernel/kernel_stats.h"
#include "mtesim/kernel/lru_add_batches.h"
#include "mtesim/kernel/lru_lists.h"
#include "mtesim/kernel/page_cache.h"
#include "mtesim/kernel/process_table.h"
#include "mtesim/kernel/swap_cache.h"
#include "mtesim/kernel/writeback_rotations.h"
#include "mtesim/kernel/tag_keeper.h"
#include "mtesim/kernel/tlb_flusher.h"
#include "mtesim/kernel/user_page.h"
#include "mtesim/mem/page_data_store.h"
#include "mtesim/mm/i_page_migrator.h"
#include "mtesim/mm/page_allocator.h"

namespace mtesim {

class ShadowTagChecker;

class PageMigrator : public IPageMigrator {
public:
    /// The parts of the kernel migration reads and changes (all outlive the migrator).
    struct Parts {
        PageAllocator &alloc;
        IKernelMemory &kmem;
        ProcessTable &procs;
        UserPageMap &pages;
        LruLists &lru;
        LruAddBatches &lru_batches;
        PageCache &page_cache;
        PageCache &shmem;
        Cleancache &cleancache;
        SwapCache &swap_cache;
        WritebackRotations &rotations;
        TagKeeper &tag_keeper;
        PageDataStore &data;
        KernelStats &stats;
        TlbFlusher &tlb;
        ShadowTagChecker *checker; /* nullptr unless vm.check_tags */
    };
    explicit PageMigrator(const Parts &parts) : m_k(parts) {}

    /* IPageMigrator */
    bool move(Pfn from, Pfn to, unsigned order, TlbFlushBatch *tlb_batch) override;
    /// cleancache: drops the backend's pool copy at @pfn (ephemeral: no I/O, it is mapped
    /// nowhere); false for anything else.
    bool drop(Pfn pfn) override;
    /// A user page still in a CPU's LRU-add batch, locked for I/O or under write-back cannot be
    /// isolated or unmapped yet; a cleancache copy never.
    Busy isolate_busy(Pfn pfn) const override;
    std::uint64_t writeback_left_ps(Pfn pfn) const override;
    std::uint64_t locked_left_ps(Pfn pfn) const override;
    std::uint64_t lru_batch_folios(unsigned cpu) const override { return m_k.lru_batches.size(cpu); }
    void lru_add_drain_cpu(unsigned cpu) override;
    void set_lru_cache_disabled(bool disabled) override { m_k.lru_batches.set_disabled(disabled); }

    /// migrate_block of the user page at @pfn, retried once after lru_cache_disable when it sat
    /// in an LRU-add batch (see page_migrator.cpp).
    bool migrate_page(Pfn pfn, std::uint64_t &cycles);
    /// Clears every PTE that maps @pg and shoots its TLB entries down (try_to_unmap).
    bool unmap_everywhere(UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch);

private:
    void verify(std::uint32_t pid, std::uint64_t va);

    Parts m_k; /* the kernel's parts */
};

}  // namespace mtesim
