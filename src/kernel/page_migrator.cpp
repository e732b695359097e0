// PageMigrator: see the header. Moved out of kernel.cpp as it was (issue 14, "Structure").
#include "mtesim/kernel/page_migrator.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/kernel_lock_guard.h"

namespace mtesim {

/*
 * A user page moved from @from to @to (its data already copied): its tags follow it (from
 * storage or the pfn xarray, to storage or, when the destination has none yet, to the pfn
 * xarray under the new pfn: copy_highpage's tag half), every PTE mapping it is repointed and
 * its TLB entry shot down (into @tlb_batch when the migration is batched), and the page cache
 * points at the new page.
 */
bool PageMigrator::move(Pfn from, Pfn to, unsigned order, TlbFlushBatch *tlb_batch) {
    auto it = m_k.pages.find(from.value());
    if (it == m_k.pages.end()) return true; /* a kernel block: no mapping to fix */
    MTESIM_ASSERT(order == 0, "user pages are order 0");
    UserPage pg = std::move(it->second);
    m_k.pages.erase(it);
    std::uint64_t cycles = 0;
    m_k.data.copy_page_data(from, to); /* copy_highpage's data half (the copy's cost was charged by the migrator) */
    if (pg.mte_tagged) {
        TagXarray::PageTags t{};
        const bool parked = m_k.tag_keeper.pfn_tags().take(from.value(), &t);
        if (!parked && m_k.tag_keeper.storage_reserved(from)) m_k.tag_keeper.read_page_tags(from, t, cycles);
        if (m_k.tag_keeper.storage_reserved(to)) {
            m_k.tag_keeper.write_page_tags(to, t, cycles);
        } else {
            m_k.tag_keeper.pfn_tags().store(to.value(), t);
            ++m_k.stats.tags_saved_pfn;
        }
    }
    if (pg.batch_cpu >= 0) m_k.lru_batches.replace(static_cast<unsigned>(pg.batch_cpu), from, to);
    else *pg.lru = to.value();
    for (const UserPage::Mapping &m : pg.maps) {
        ProcessTable::Process *p = m_k.procs.with_mm(m.pid);
        if (!p) continue;
        const auto slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(slot, "a mapped page without its page table");
        const std::uint64_t pte = p->mm->read_pte(*slot, cycles);
        // A tagged mapping of a destination without storage waits behind "metadata none".
        const bool wait = upte::kind(pte) == upte::Kind::present && upte::tagged(pte) && !m_k.tag_keeper.storage_reserved(to);
        p->mm->write_pte(*slot, wait ? upte::metadata_none(to) : (pte & ~pgtable::kAddrMask) | phys_of(to).value(), cycles);
        if (upte::kind(pte) == upte::Kind::present) m_k.tlb.page(m.pid, m.va, cycles, tlb_batch);
    }
    if (pg.shmem) m_k.shmem.set(pg.file_id, pg.index, to);
    else if (pg.file) m_k.page_cache.set(pg.file_id, pg.index, to);
    else if (pg.swapcache()) m_k.swap_cache.repoint(static_cast<std::uint64_t>(pg.swap_slot), to);
    // PG_reclaim of a written page: its rotation follows it. A dirty page's PG_reclaim waits for a
    // write not yet started: no rotation is due.
    if (pg.reclaim && !pg.dirty && pg.writeback_end_ps) m_k.rotations.add(to, pg.writeback_end_ps);
    const std::vector<UserPage::Mapping> maps = pg.maps;
    m_k.pages.emplace(to.value(), std::move(pg));
    ++m_k.stats.user_pages_migrated;
    for (const UserPage::Mapping &m : maps) verify(m.pid, m.va);
    (void)cycles; /* charged to the core through IKernelMemory as it happened */
    return true;
}

/* try_to_unmap with TTU_BATCH_FLUSH (shrink_folio_list): every PTE mapping the page cleared
 * (the dirty bit the MMU may have set moving to the page: pte_dirty -> folio_mark_dirty), its
 * TLB entry's invalidation issued into @batch. */
bool PageMigrator::unmap_everywhere(UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch) {
    bool any_dirty = false;
    for (const UserPage::Mapping &m : pg.maps) {
        ProcessTable::Process *p = m_k.procs.with_mm(m.pid);
        if (!p) continue;
        const auto slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(slot, "a mapped page without its page table");
        const bool dirty = upte::dirty(p->mm->read_pte(*slot, cycles));
        if (dirty) pg.dirty = true;
        any_dirty |= dirty;
        p->mm->write_pte(*slot, 0, cycles);
        m_k.tlb.page(m.pid, m.va, cycles, &batch, dirty);
    }
    pg.maps.clear();
    return any_dirty;
}

/* A tag reservation needs the pool frame: the backend's copy goes (ephemeral, clean, mapped
 * nowhere: no write-back, no unmap, no TLB invalidation). The next miss of it reads storage. */
bool PageMigrator::drop(Pfn pfn) {
    const auto key = m_k.cleancache.erase(pfn);
    if (!key) return false;
    m_k.page_cache.note_dropped(key->file_id, key->index);
    m_k.alloc.free_pages(pfn); /* charged through IKernelMemory as it happens */
    ++m_k.stats.cleancache_drops;
    return true;
}

IPageMigrator::Busy PageMigrator::isolate_busy(Pfn pfn) const {
    if (m_k.cleancache.holds(pfn)) return Busy::not_lru;
    auto it = m_k.pages.find(pfn.value());
    if (it == m_k.pages.end()) return Busy::none;
    if (it->second.batch_cpu >= 0) return Busy::lru_batch;
    const std::uint64_t now = m_k.kmem.now_ps();
    if (it->second.locked(now)) return Busy::locked;
    return it->second.under_writeback(now) ? Busy::writeback : Busy::none;
}

std::uint64_t PageMigrator::locked_left_ps(Pfn pfn) const {
    auto it = m_k.pages.find(pfn.value());
    const std::uint64_t now = m_k.kmem.now_ps();
    return it != m_k.pages.end() && it->second.locked(now) ? it->second.locked_until_ps - now : 0;
}

std::uint64_t PageMigrator::writeback_left_ps(Pfn pfn) const {
    auto it = m_k.pages.find(pfn.value());
    const std::uint64_t now = m_k.kmem.now_ps();
    return it != m_k.pages.end() && it->second.writeback_end_ps > now ? it->second.writeback_end_ps - now : 0;
}

/*
 * migrate_pages of one mapped page, with the retry Linux's callers have a reason for: a page
 * still in an LRU-add batch cannot be isolated (folio_isolate_lru). This CPU's batch is drained
 * first (lru_add_drain, as migrate_prep_local did); when the page sits in another CPU's batch,
 * lru_cache_disable() drains them all (IPIs and kworkers, its full cost) and the migration is
 * tried once more, lru_cache_enable() after. The migration is MIGRATE_SYNC (do_pages_move): a
 * page under write-back is waited for (PageAllocator::migrate_block). Any other failure is not
 * retried here.
 */
bool PageMigrator::migrate_page(Pfn pfn, std::uint64_t &cycles) {
    if (isolate_busy(pfn) == Busy::lru_batch && m_k.kmem.current_cpu() < m_k.lru_batches.cpus())
        lru_add_drain_cpu(m_k.kmem.current_cpu());
    const std::uint64_t busy = m_k.alloc.stats().migrate_busy_lru_batch;
    if (m_k.alloc.migrate_block(pfn, cycles, MigrateOptions{MigrateMode::sync})) return true;
    if (m_k.alloc.stats().migrate_busy_lru_batch == busy) return false;
    ++m_k.alloc.mutable_stats().migrate_retries_lru_batch;
    cycles += m_k.alloc.lru_cache_disable();
    const bool ok = m_k.alloc.migrate_block(pfn, cycles, MigrateOptions{MigrateMode::sync});
    m_k.alloc.lru_cache_enable();
    return ok;
}

/* lru_add_drain_cpu: the batch's folios onto their LRU lists, oldest first (lru_add_fn). */
void PageMigrator::lru_add_drain_cpu(unsigned cpu) {
    const auto batch = m_k.lru_batches.take(cpu);
    if (batch.empty()) return;
    KernelLockGuard lru_lock(m_k.kmem, KernelLockClass::lruvec, 0); /* one lruvec (no memcg): one hold per batch */
    for (std::uint64_t pfn : batch) {
        UserPage &pg = m_k.pages.at(pfn);
        pg.batch_cpu = -1;
        pg.lru = m_k.lru.add(Pfn(pfn), pg.list);
    }
}

void PageMigrator::verify(std::uint32_t pid, std::uint64_t va) {
    if (m_k.checker) m_k.checker->check_page(pid, va & ~(kPageSize - 1));
}

}  // namespace mtesim
