// Kernel: dirty file pages and their write-back by the flusher (mm/page-writeback.c and
// fs/fs-writeback.c reduced to what reclaim and the flusher do; see flusher.h).
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>

namespace mtesim {

namespace {

/* domain_dirty_limits (v6.6) on the global domain: the background and the dirty threshold, in
 * pages, of @avail dirtyable pages; a background ratio not below the dirty ratio is halved. */
void dirty_limits(const KernelConfig &c, std::uint64_t avail, std::uint64_t &bg, std::uint64_t &thresh) {
    thresh = c.dirty_ratio * avail / 100;
    bg = c.dirty_background_ratio * avail / 100;
    if (bg >= thresh) bg = thresh / 2;
}

}  // namespace

/* global_dirtyable_memory: the free pages less the reserve kept from user allocations
 * (totalreserve_pages, each zone's high watermark: the model's watermark_pages(true)), plus
 * the page cache on the file LRU lists. Shmem pages, which the model keeps on the file lists
 * (Linux's are swap-backed, on the anonymous ones), are left out. */
std::uint64_t Kernel::dirtyable_pages() const {
    const std::uint64_t free = m_alloc.free_pages(), reserve = m_alloc.watermark_pages(true);
    const std::uint64_t file = m_lru.size(LruLists::inactive_file) + m_lru.size(LruLists::active_file);
    const std::uint64_t shmem = std::min(file, m_shmem.size());
    return (free > reserve ? free - reserve : 0) + file - shmem;
}

bool Kernel::dirty_over_background() const {
    const DirtyThrottle::Counts c = dirty_counts();
    return c.file_dirty > c.bg_thresh;
}

DirtyThrottle::Counts Kernel::dirty_counts() const {
    DirtyThrottle::Counts c;
    c.file_dirty = m_dirty.size();
    c.writeback = m_writeback.writeback();
    c.wb_writeback = m_writeback.file_writeback();
    dirty_limits(m_config, dirtyable_pages(), c.bg_thresh, c.thresh);
    return c;
}

/*
 * folio_mark_dirty through a store (a write fault, write(2)): PG_reclaim is cleared, the page
 * counted dirty, and a page that was clean accounted to the writer (folio_account_dirtied:
 * WB_DIRTIED, the task's nr_dirtied). With more dirty pages than the background threshold, the
 * writer starts background write-back unless the flusher is running already
 * (wb_start_background_writeback; Linux does this inside balance_dirty_pages, the model at each
 * page dirtied). Then (write(2) after each page it commits, a write fault of a shared file
 * mapping: balance_dirty_pages_ratelimited) DirtyThrottle decides whether the
 * writer pauses: past the freerun ceiling, halfway between the background and the dirty
 * threshold, for as long as its task_ratelimit says. The pause is an uninterruptible sleep of
 * the writer in its system call or fault (io_schedule_timeout), whole jiffies: returned for the
 * caller to sleep (dirty_pause) where Linux does, a write fault having dropped mmap_lock first
 * (fault_dirty_shared_page's maybe_unlock_mmap_for_io); write(2) then returns to its core to
 * let the other cores run through the pause (UaccessStop::dirty_pause).
 */
std::int64_t Kernel::file_page_dirtied(std::uint32_t pid, UserPage &pg, bool newly, std::uint64_t &cycles) {
    if (!pg.file || pg.shmem) return 0;
    pg.reclaim = false;
    note_file_dirty(pg);
    const unsigned cpu = m_kmem.current_cpu();
    if (newly) m_throttle.account_dirtied(pid, cpu);
    retire_writebacks();
    const DirtyThrottle::Counts c = dirty_counts();
    if (c.file_dirty > c.bg_thresh && m_flusher.wake_background()) wake_thread(m_flusher, cycles);
    return std::max<std::int64_t>(m_throttle.ratelimited(pid, cpu, jiffies(), c), 0);
}

/* The pause: an uninterruptible sleep the writer's core spends stalled, as for the model's
 * other I/O waits (`kernel.dirty.pauses`, `.paused_ms`). */
void Kernel::dirty_pause(std::int64_t jiffies, std::uint64_t &cycles) {
    if (jiffies <= 0) return;
    ++m_stats.dirty_pauses;
    m_stats.dirty_paused_jiffies += static_cast<std::uint64_t>(jiffies);
    cycles += m_kmem.io_wait(static_cast<double>(jiffies) * (1e9 / DirtyThrottle::kHz));
}

void Kernel::start_file_write(Pfn pfn, UserPage &pg, std::uint64_t &cycles) {
    // The page is locked from folio_lock until the file system's writepage has submitted the
    // write and set PG_writeback (folio_start_writeback, then folio_unlock): the issuer's
    // transfer. folio_end_writeback rotates a PG_reclaim page (folio_rotate_reclaimable).
    cycles += wait_for_tag(m_storage);
    const std::uint64_t start = m_kmem.now_ps();
    const double submit_ns = m_storage.write_page_ns();
    pg.locked_until_ps = start + static_cast<std::uint64_t>(submit_ns * 1000.0 + 0.5);
    cycles += m_kmem.io_wait(submit_ns);
    pg.writeback_end_ps = m_storage.write_done_ps(start, m_kmem.horizon_ps(), m_kmem.current_cpu());
    retire_writebacks();
    m_writeback.started(pg.writeback_end_ps, true);
    writeback_started();
    if (pg.reclaim) m_rotations.add(pfn, pg.writeback_end_ps);
    pg.dirty = false; /* folio_clear_dirty_for_io */
    m_dirty.clear(pg.file_id, pg.index);
}

/*
 * folio_mkclean (folio_clear_dirty_for_io on a mapped page): each PTE that is dirty is made
 * clean, its TLB entry invalidated at once (page_vma_mkclean_one's ptep_clear_flush), so that
 * the next store dirties it again. The model maps shared file pages writable-clean with DBM
 * (FaultHandler::fault_file), so a writable entry goes back to writable-clean (the MMU sets it
 * dirty again at the next store, and reclaim or munmap reads that back), where Linux, which
 * tracks dirtying by write faults, write-protects it; a read-only entry only loses PTE_DIRTY.
 */
void Kernel::clean_mappings(UserPage &pg, std::uint64_t &cycles) {
    for (const Mapping &m : pg.maps) {
        Process *p = m_procs.with_mm(m.pid);
        if (!p) continue;
        const auto slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(slot, "a mapped page without its page table");
        const std::uint64_t pte = p->mm->read_pte(*slot, cycles);
        if (!upte::dirty(pte)) continue;
        std::uint64_t next = pte & ~upte::kDirty;
        if (pte & upte::kDbm) next |= upte::kReadOnly;
        p->mm->write_pte(*slot, next, cycles);
        m_tlb_flusher.page(m.pid, m.va, cycles);
    }
}

/*
 * write_cache_pages for the flusher's batch (WB_SYNC_NONE): the dirty pages in the order
 * DirtyFilePages gives, each looked up (filemap_get_folios_tag; a page_scan of kernel work)
 * and locked (folio_lock: the flusher sleeps until a read filling the page completes,
 * kernel.page_lock_waits); one still under write-back is passed over (not syncing:
 * write_cache_pages skips it, and it stays dirty); the others are cleaned in every mapping and
 * written. At most as many pages are looked at as were dirty, so a batch of pages that cannot
 * be written ends.
 */
std::uint64_t Kernel::write_dirty_file_pages(std::uint64_t max, std::uint64_t &cycles, std::uint64_t &skipped,
                                             std::uint64_t dirtied_before) {
    // do_writepages' bandwidth upkeep (wb_bandwidth_estimate_start, wb_update_bandwidth).
    retire_writebacks();
    m_throttle.writepages(jiffies(), m_writeback.file_writeback() == 0);
    std::uint64_t written = 0;
    const std::uint64_t limit = m_dirty.size();
    std::uint32_t file = 0;
    std::uint64_t index = 0;
    for (std::uint64_t looked = 0; written < max && looked < limit && m_dirty.next(file, index, dirtied_before); ++looked) {
        const std::optional<Pfn> pfn = m_page_cache.find(file, index);
        MTESIM_ASSERT(pfn, "a dirty file page that is not in the page cache");
        UserPage &pg = m_pages.at(pfn->value());
        m_alloc.scan_page(*pfn);
        if (pg.locked(m_kmem.now_ps())) {
            ++m_stats.page_lock_waits;
            cycles += m_kmem.io_wait_until(pg.locked_until_ps);
        }
        if (under_writeback(pg)) {
            ++skipped;
            continue;
        }
        clean_mappings(pg, cycles);
        start_file_write(*pfn, pg, cycles);
        ++written;
    }
    cycles += m_alloc.take_work();
    return written;
}

}  // namespace mtesim
