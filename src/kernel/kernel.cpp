// Kernel: processes and system calls (see the header). The fault path is FaultHandler's,
// migration PageMigrator's; reclaim and swap-out are in kernel_reclaim.cpp.
#include "mtesim/kernel/kernel.h"

#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel_invariant_checker.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/tlb_gather.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/kernel_lock_guard.h"

#include <algorithm>
#include <cerrno>

namespace mtesim {

namespace {
constexpr std::uint64_t k2M = 1ull << 21;
}  // namespace

Kernel::Kernel(const KernelConfig &config, PageAllocator &allocator, IKernelMemory &kmem, TagStore &tags,
               const SparseMemory &memory, ITlbShootdown &tlb)
    : m_config(config), m_alloc(allocator), m_kmem(kmem), m_memory(memory), m_compactor(allocator),
      m_lru_batches(kmem.cpus()), m_swap(config.swap_pages), m_swap_dev(config.swap), m_storage(config.storage),
      m_tag_keeper(allocator, kmem, tags), m_data(config.data), m_tags(tags),
      m_checker(config.check_tags ? std::make_unique<ShadowTagChecker>(m_tag_keeper) : nullptr),
      m_tlb_flusher(tlb, kmem, m_stats),
      m_migrator(PageMigrator::Parts{allocator, kmem, m_procs, m_pages, m_lru, m_lru_batches, m_page_cache, m_shmem,
                                     m_cleancache, m_swap_cache, m_rotations, m_tag_keeper, m_data, m_stats, m_tlb_flusher, m_checker.get()}),
      m_faults(FaultHandler::Parts{m_config, allocator, kmem, memory, m_procs, m_pages, m_page_cache, m_cleancache, m_swap,
                                   m_swap_cache, m_swap_dev, m_storage, m_tag_keeper, m_data, m_stats, m_migrator, *this, m_checker.get()}),
      m_kswapd(*this, allocator, config.reclaim_batch), m_kcompactd(*this, allocator, config.compaction_proactiveness),
      m_flusher(*this, config.dirty_writeback_cs * 10000000000ull, config.dirty_expire_cs * 10000000000ull),
      m_throttle(kmem.cpus(), dirty_counts().thresh, jiffies()) {
    m_tag_keeper.set_lookups([this](std::uint32_t pid, std::uint64_t va) { return pte_of(pid, va); },
                             [this](Pfn pfn) {
                                 auto it = m_pages.find(pfn.value());
                                 return it != m_pages.end() && it->second.mte_tagged;
                             });
    m_alloc.set_migrator(&m_migrator);
}

Kernel::~Kernel() { m_alloc.set_migrator(nullptr); }

KernelStats Kernel::stats() const {
    KernelStats s = m_stats;
    s.storage_queued_us = m_storage.queued_ps() / 1000000;
    s.swap_queued_us = m_swap_dev.queued_ps() / 1000000;
    s.storage_tag_waits = m_storage.tag_waits();
    s.storage_tag_wait_us = m_storage.tag_wait_ps() / 1000000;
    s.swap_tag_waits = m_swap_dev.tag_waits();
    s.swap_tag_wait_us = m_swap_dev.tag_wait_ps() / 1000000;
    s.dirty_write_bandwidth = m_throttle.avg_write_bandwidth();
    s.dirty_ratelimit = m_throttle.dirty_ratelimit();
    s.page_tables_allocated = m_procs.tables_allocated();
    s.page_tables_freed = m_procs.tables_freed();
    const KswapdStats &ks = m_kswapd.stats();
    s.kswapd_wakeups = ks.wakeups;
    s.kswapd_passes = ks.passes;
    s.kswapd_batches_without_progress = ks.batches_without_progress;
    s.kswapd_reclaimed = ks.reclaimed;
    s.kswapd_failures = ks.failures;
    s.kswapd_hopeless = ks.hopeless;
    s.kswapd_hopeless_wakeups = ks.hopeless_wakeups;
    s.kswapd_cycles = ks.cycles;
    s.kswapd_low_wmark_hit_quickly = ks.low_wmark_hit_quickly;
    s.kswapd_high_wmark_hit_quickly = ks.high_wmark_hit_quickly;
    s.kswapd_writeback_throttles = ks.writeback_throttles;
    s.kswapd_throttled_us = ks.throttled_ps / 1000000;
    const KcompactdStats &kc = m_kcompactd.stats();
    s.kcompactd_wakeups = kc.wakeups;
    s.kcompactd_runs = kc.runs;
    s.kcompactd_skipped = kc.skipped;
    s.kcompactd_success = kc.success;
    s.kcompactd_pages_migrated = kc.pages_migrated;
    s.kcompactd_cycles = kc.cycles;
    s.kcompactd_proactive_checks = kc.proactive_checks;
    s.kcompactd_proactive_runs = kc.proactive_runs;
    s.kcompactd_proactive_deferred = kc.proactive_deferred;
    s.kcompactd_proactive_pages_migrated = kc.proactive_pages_migrated;
    s.kcompactd_proactive_migrate_scanned = kc.proactive_migrate_scanned;
    s.kcompactd_proactive_free_scanned = kc.proactive_free_scanned;
    s.kcompactd_proactive_score_low = kc.proactive_score_low;
    s.kcompactd_proactive_kswapd_stops = kc.proactive_kswapd_stops;
    s.kcompactd_proactive_triggers = kc.proactive_triggers;
    s.kthread_wake_ipis = m_kthread_wake_ipis;
    const FlusherStats &fl = m_flusher.stats();
    s.flusher_wakeups_vmscan = fl.wakeups_vmscan;
    s.flusher_wakeups_background = fl.wakeups_background;
    s.flusher_passes = fl.passes;
    s.flusher_timer_wakeups = fl.timer_wakeups;
    s.flusher_periodic_writebacks = fl.periodic_pages;
    s.flusher_writebacks = fl.pages;
    s.flusher_skipped = fl.skipped;
    s.flusher_cycles = fl.cycles;
    s.file_dirty = m_dirty.size();
    return s;
}

/* ---- processes ---------------------------------------------------------------------------- */

Kernel::Process *Kernel::live(std::uint32_t pid) { return m_procs.live(pid); }

const Kernel::Process *Kernel::find(std::uint32_t pid) const { return m_procs.find(pid); }

bool Kernel::alive(std::uint32_t pid) const {
    const Process *p = find(pid);
    return p && !p->killed;
}

PhysAddr Kernel::root(std::uint32_t pid) const {
    const Process *p = find(pid);
    return p && !p->killed && p->mm ? p->mm->root() : PhysAddr();
}

void Kernel::thread_created(std::uint32_t pid) {
    Process &p = m_procs.get_or_create(pid);
    ++p.threads;
    ++p.unstarted;
}

Kernel::Result Kernel::thread_start(std::uint32_t pid) {
    Result r;
    Process *p = &m_procs.get_or_create(pid);
    if (p->unstarted) --p->unstarted;
    else ++p->threads;
    if (!p->mm && !p->killed) {
        p->mm = std::make_unique<AddressSpace>(pid, m_alloc, m_kmem);
        ++m_stats.processes;
        if (!p->mm->init(r.cycles)) {
            p->killed = true; /* fork failing with ENOMEM: the process never runs */
            p->mm.reset();
            ++m_stats.oom_kills;
        }
    }
    if (p->killed) r.outcome = Outcome::killed;
    return r;
}

Kernel::Result Kernel::thread_exit(std::uint32_t pid) {
    Result r;
    Process *found = m_procs.find(pid);
    if (!found) return r;
    Process &p = *found;
    if (p.threads) --p.threads;
    if (p.threads) return r;
    teardown(p, r.cycles);
    m_procs.erase(pid); /* a later thread of this pid starts a new process */
    return r;
}

/* exit_mmap: every VMA zapped, one TLB flush of the whole address space, the tables freed. */
void Kernel::teardown(Process &p, std::uint64_t &cycles) {
    m_throttle.exited(p.pid);
    if (!p.mm) return;
    for (const Vma &v : p.mm->vmas_in(0, 1ull << 48)) zap_range(p, v.start, v.end, cycles, nullptr);
    m_tlb_flusher.address_space(p.pid, cycles);
    p.mm->release(cycles);
    m_procs.retire(*p.mm);
    p.mm.reset();
}

/*
 * The OOM killer (v6.6 select_bad_process -> oom_evaluate_task, oom_kill_process): the process
 * with the highest oom_badness() is killed (oom_kill_process below: who frees its memory). Of
 * equal scores the one met last wins, as oom_evaluate_task replaces its choice unless the new
 * score is lower; processes are met in pid order here (for_each_process: creation order). A
 * process scoring 0 or below is still a candidate; only oom_score_adj -1000 (and, in Linux,
 * init and kernel threads, which the model has no process for) protects one.
 */
std::uint32_t Kernel::oom_kill(std::uint64_t &cycles) {
    // oom_evaluate_task's abort: while a victim is still exiting no other is chosen. A fault
    // cannot wait for that exit in the model, so the victim's memory is freed now (the OOM
    // reaper's work, as a fault's allocation does) and reported as this call's victim.
    if (const std::uint32_t exiting = exiting_oom_victim()) {
        reap_oom_victims(cycles);
        return exiting;
    }
    const Process *victim = oom_kill_process(cycles);
    return victim ? victim->pid : 0;
}

/* oom_badness: get_mm_rss + MM_SWAPENTS + mm_pgtables_bytes / PAGE_SIZE, plus oom_score_adj
 * scaled to a thousandth of totalpages (totalram_pages + total_swap_pages for a global OOM).
 * get_mm_rss adds MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES: the process's resident
 * anonymous pages and every PTE of it mapping a page-cache or shmem page (file_rss). The model's
 * table count holds the PGD, which mm_pgtables_bytes does not. */
std::optional<std::int64_t> Kernel::oom_badness(std::uint32_t pid) const {
    const Process *p = find(pid);
    return p ? badness(*p, file_rss()) : std::nullopt;
}

std::optional<std::int64_t> Kernel::badness(const Process &p, const FileRss &file) const {
    if (p.killed || !p.mm || p.oom_score_adj == kOomScoreAdjMin) return std::nullopt;
    const std::int64_t totalpages = static_cast<std::int64_t>(m_alloc.managed_pages() + m_swap.capacity());
    const std::uint64_t tables = p.mm->table_pages() - (p.mm->table_pages() ? 1 : 0); /* mm_pgtables_bytes leaves out the PGD */
    const auto it = file.find(p.pid);
    const std::uint64_t file_pages = it == file.end() ? 0 : it->second;
    const std::int64_t points = static_cast<std::int64_t>(p.anon_pages + file_pages + p.swap_pages + tables);
    return points + static_cast<std::int64_t>(p.oom_score_adj) * (totalpages / 1000);
}

/* MM_FILEPAGES + MM_SHMEMPAGES of every process: its PTEs mapping page-cache or shmem pages,
 * counted from the pages' mappings when the OOM killer asks (Linux keeps per-mm counters). */
Kernel::FileRss Kernel::file_rss() const {
    FileRss rss;
    for (const auto &[pfn, pg] : m_pages)
        if (pg.file)
            for (const Mapping &m : pg.maps) ++rss[m.pid];
    return rss;
}

/*
 * __oom_kill_process: SIGKILL to the victim and mark_oom_victim. With a signaller (the cores run
 * the processes' threads) the victim's memory is freed by its own exit, in its threads' time on
 * their CPUs (do_exit -> exit_mm -> exit_mmap) as in Linux, where the OOM reaper steps in only if
 * the victim has not exited 2 s later (OOM_REAPER_DELAY); the killer does not wait here. A victim
 * with no thread started (or without a signaller) is torn down at once, on this CPU.
 */
Kernel::Process *Kernel::oom_kill_process(std::uint64_t &cycles, bool may_defer) {
    Process *victim = nullptr;
    std::int64_t best = 0;
    const FileRss file = file_rss();
    for (auto &[pid, p] : m_procs.all()) {
        const std::optional<std::int64_t> score = badness(*p, file);
        if (!score || (victim && *score < best)) continue;
        best = *score;
        victim = p.get();
    }
    if (!victim) return nullptr;
    ++m_stats.oom_kills;
    victim->killed = true;
    if (may_defer && m_oom_signal && victim->threads > victim->unstarted) {
        ++m_kill_epoch;
        m_oom_signal(victim->pid, m_kmem.now_ps());
    } else {
        teardown(*victim, cycles);
    }
    return victim;
}

std::uint32_t Kernel::exiting_oom_victim(std::uint32_t self) const {
    for (const auto &[pid, p] : m_procs.all())
        if (p->killed && p->mm && pid != self) return pid;
    return 0;
}

void Kernel::reap_oom_victims(std::uint64_t &cycles) {
    for (auto &[pid, p] : m_procs.all())
        if (p->killed && p->mm) {
            ++m_stats.oom_reaped;
            teardown(*p, cycles);
        }
}

/* proc_oom_score_adj_write -> __set_oom_adj: the value is the thread group's (signal_struct),
 * so every thread of the process shares it. */
Kernel::Result Kernel::set_oom_score_adj(std::uint32_t pid, std::int32_t adj) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    p->oom_score_adj = adj;
    return r;
}

/* ---- system calls ------------------------------------------------------------------------- */

Kernel::Result Kernel::mmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool file,
                            std::uint32_t file_id, std::uint64_t file_pgoff, bool writable) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.mmaps;
    // PROT_MTE needs VM_MTE_ALLOWED: RAM-backed memory (anonymous here), never a disk file.
    // Since Linux 6.12 mmap_region checks it before unmapping anything (arch_validate_flags).
    if (mte && file) {
        r.error = -EINVAL;
        return r;
    }
    Vma backing;
    backing.file = file;
    backing.file_id = file_id;
    backing.file_pgoff = file_pgoff;
    map_region(*p, base, len, mte, writable, backing, r.cycles);
    return r;
}

/* mmap_region's common part for every kind of mapping: what was mapped in the range is
 * unmapped first (MAP_FIXED replaces it: its pages zapped, its VMAs removed), then one VMA
 * goes in with the new protection and @backing's file or shmem object. */
void Kernel::map_region(Process &p, std::uint64_t base, std::uint64_t len, bool mte, bool writable, const Vma &backing,
                        std::uint64_t &cycles) {
    const std::uint64_t end = base + len;
    unmap_region(p, base, end, cycles);
    p.mm->remove_range(base, end);
    Vma v = backing;
    v.start = base;
    v.end = end;
    v.mte = mte;
    v.writable = writable;
    p.mm->insert_vma(v);
}

Kernel::Result Kernel::munmap(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.munmaps;
    unmap_region(*p, base, base + len, r.cycles);
    p->mm->remove_range(base, base + len);
    // free_pgtables: the freed tables' walk-cache entries, in the same mmu_gather, whose
    // range the VMAs' flushes reset: one more flush at tlb_finish_mmu (freed_tables).
    TlbGather tables(m_tlb_flusher, pid);
    p->mm->free_unused_tables(base, base + len, r.cycles, tables);
    tables.finish(r.cycles);
    return r;
}

/*
 * mprotect, as arm64 Linux does it (mm/mprotect.c do_mprotect_pkey):
 *   - The range is walked VMA by VMA from its start; a hole stops the walk with -ENOMEM, the
 *     VMAs before it already changed (the "if (!vma || vma->vm_start != nstart)" check).
 *   - PROT_MTE may be added only where VM_MTE_ALLOWED is set (arch_validate_flags): on a file
 *     mapping it is -EINVAL, and that VMA and those after it are left as they were.
 *   - PROT_MTE cannot be taken away: the new flags keep the old ones outside the access bits
 *     and VM_FLAGS_CLEAR, and arm64's VM_ARCH_CLEAR is VM_ARM64_BTI, not VM_MTE (include/
 *     linux/mm.h). So `mprotect ... none` of a PROT_MTE range leaves it tagged: checking stays
 *     on and the tags are kept. Re-adding PROT_MTE to a PROT_MTE VMA is a no-op too.
 *   - PROT_WRITE is an access bit: it is set or cleared as asked (VM_WRITE). A VMA whose flags
 *     do not change is left alone (mprotect_fixup's "newflags == oldflags" early return).
 *   - The populated entries of each VMA that changes are rewritten (change_protection), each
 *     present one shot down from the TLBs:
 *       - adding PROT_MTE to an anonymous VMA: every populated page gets a "metadata none"
 *         entry (the RFC: storage cannot be reserved for all of them now), unless its storage
 *         is already there and its tags meaningful, when it is simply remapped tagged;
 *       - otherwise a present entry keeps its page and attributes and gets AP[2] from the new
 *         write permission: read-only without PROT_WRITE; with it, writable unless the page
 *         is not exclusive (shared since fork), which stays read-only for do_wp_page (Linux
 *         makes only exclusive anonymous pages writable at once: can_change_pte_writable), or
 *         a clean page kept in the swap cache (cow_bits). A "metadata none" entry takes the
 *         VMA's permission when its fault maps it.
 *     Data and tags stay where they are: a page made read-only after being written keeps both.
 */
Kernel::Result Kernel::mprotect(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool mte, bool writable) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.mprotects;
    const std::uint64_t end = base + len;
    // The part of the range the walk reaches: up to the first hole or the first file VMA that
    // PROT_MTE is refused on.
    std::uint64_t reach = base;
    for (const Vma &v : p->mm->vmas_in(base, end)) {
        if (v.start != reach) break;
        if (mte && v.file && !v.mte) {
            r.error = -EINVAL;
            break;
        }
        reach = v.end;
    }
    if (!r.error && reach != end) r.error = -ENOMEM;
    for (const Vma &old : p->mm->vmas_in(base, reach)) {
        const bool add_mte = mte && !old.mte; /* PROT_MTE again: a no-op; it is never taken away */
        if (!add_mte && old.writable == writable) continue;
        for (const Vma &v : p->mm->set_prot(old.start, old.end, old.mte || mte, writable)) {
            TlbGather gather(m_tlb_flusher, pid); /* change_protection_range: tlb_start_vma .. tlb_end_vma */
            for (std::uint64_t va = v.start; va < v.end;) {
                const auto slot = p->mm->pte_slot(va, false, r.cycles);
                if (!slot) {
                    va = (va + k2M) & ~(k2M - 1);
                    continue;
                }
                const std::uint64_t pte = p->mm->read_pte(*slot, r.cycles);
                const upte::Kind k = upte::kind(pte);
                std::uint64_t next = pte;
                if (add_mte && (k == upte::Kind::present || k == upte::Kind::metadata_none)) {
                    const Pfn pfn = upte::pfn(pte);
                    const auto &pg = m_pages.at(pfn.value());
                    const std::uint64_t flags = m_alloc.block_flags(pfn);
                    const bool ready = (flags & PageMeta::kTagged) && !(flags & PageMeta::kTagsPending) &&
                                       pg.mte_tagged && !m_alloc.in_pool(pfn);
                    next = ready ? upte::present(pfn, true) | wp_bits(v, pfn) : upte::metadata_none(pfn);
                    if (!ready && k == upte::Kind::present) ++m_stats.mprotect_mte_pages;
                } else if (k == upte::Kind::present && m_pages.at(upte::pfn(pte).value()).file) {
                    // A file page (mapped writable-clean with DBM, issue 14): pte_modify keeps
                    // its dirty state. Without PROT_WRITE it loses DBM, or the MMU would make it
                    // writable on a store, and a dirty one keeps PTE_DIRTY (pte_wrprotect); with
                    // PROT_WRITE it is writable-clean again, or writable-dirty if it was dirty.
                    const bool dirty = upte::dirty(pte);
                    next = pte & ~(upte::kReadOnly | upte::kDbm | upte::kDirty);
                    if (!v.writable) next |= upte::kReadOnly | (dirty ? upte::kDirty : 0);
                    else next |= upte::kDbm | (dirty ? 0 : upte::kReadOnly);
                } else if (k == upte::Kind::present) {
                    next = (pte & ~upte::kReadOnly) | wp_bits(v, upte::pfn(pte));
                }
                if (next != pte) {
                    p->mm->write_pte(*slot, next, r.cycles);
                    if (k == upte::Kind::present) gather.add(va);
                }
                verify(pid, va);
                va += kPageSize;
            }
            gather.finish(r.cycles);
        }
    }
    return r;
}

Kernel::Result Kernel::read_file(std::uint32_t pid, std::uint32_t file_id, std::uint64_t offset, std::uint64_t len) {
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    FileRaState &ra = m_faults.file_ra(*p, file_id);
    const Result r = file_pages(pid, file_id, offset, len, offset + len, false, last_read_end(ra));
    // A page the lookup cannot get ends the process (FaultHandler::alloc_page), so an ok lookup
    // got the whole range: filemap_read's ra->prev_pos is its end.
    if (r.outcome == Outcome::ok && len) ra.prev_pos = offset + len;
    return r;
}

std::optional<std::uint64_t> Kernel::last_read_end(const FileRaState &ra) {
    return ra.prev_pos == ~0ull ? std::nullopt : std::optional<std::uint64_t>(ra.prev_pos);
}

/* The page-cache pages of [@offset, @offset + @len) of @file_id, for a read that ends at byte
 * @read_end: each looked up as filemap_get_pages does (a miss reads a readahead window, a marked
 * page starts the next: FaultHandler::page_cache_read; a page a short write(2) left not uptodate
 * is read), waited for until the read filling it completes, and marked accessed
 * (folio_mark_accessed; a retried lookup does not mark it again; with FileMark::first only the
 * first page). */
Kernel::Result Kernel::file_pages(std::uint32_t pid, std::uint32_t file_id, std::uint64_t offset, std::uint64_t len,
                                  std::uint64_t read_end, bool retried, std::optional<std::uint64_t> prev_pos,
                                  FileMark mark) {
    Result r;
    if (!live(pid)) return Result{Outcome::killed, 0};
    const std::uint64_t first = offset >> kPageShift;
    const std::uint64_t last_index = (read_end + kPageSize - 1) >> kPageShift; /* filemap_get_pages' last_index */
    for (std::uint64_t idx = first; len && idx <= (offset + len - 1) >> kPageShift; ++idx) {
        bool killed_self = false;
        const auto pfn = m_faults.page_cache_read(pid, file_id, idx, last_index - idx, killed_self, r.cycles, retried);
        if (killed_self) return Result{Outcome::killed, r.cycles};
        if (!pfn) break;
        // filemap_read: "when a read accesses the same folio several times, only mark it as
        // accessed the first time" (pos_same_folio with the last read's end).
        const bool same_as_last = prev_pos && *prev_pos && idx == first && (*prev_pos - 1) >> kPageShift == idx;
        if (!retried && !same_as_last && (mark == FileMark::all || idx == first)) mark_page_accessed(m_pages.at(pfn->value()));
    }
    return r;
}

/* folio_mark_accessed (mm/swap.c, v6.6, classic LRU): a page not PG_referenced becomes so; one
 * that is, and is inactive, is activated and loses PG_referenced (a page-cache page read twice
 * is working set). A page on the LRU lists moves to the active head now (folio_activate; Linux
 * defers that through the CPU's activate batch); one still in this CPU's LRU-add batch joins the
 * active list when the batch drains (__lru_cache_activate_folio), one in another CPU's batch is
 * not found there and stays inactive. */
void Kernel::mark_page_accessed(UserPage &pg) {
    if (!pg.referenced) {
        pg.referenced = true;
        return;
    }
    const LruLists::List act = LruLists::active(pg.file);
    if (pg.list == act) return;
    pg.referenced = false;
    // __lru_cache_activate_folio looks in this CPU's batch only: a page in another CPU's is not
    // activated (it loses PG_referenced all the same).
    if (pg.batch_cpu >= 0 && static_cast<unsigned>(pg.batch_cpu) != m_kmem.current_cpu()) return;
    if (pg.batch_cpu < 0) pg.lru = m_lru.move(pg.lru, pg.list, act);
    pg.list = act;
    ++m_stats.lru_accessed_activations;
}

/*
 * The page cache of a phone or server that has run for a while: memory full of clean file
 * pages. Each page is allocated as a page-cache read would allocate it (kGfpPageCache, so the
 * CMA policy decides whether it lands in the tag-storage pool), but with no reclaim and no
 * storage read, and it goes straight onto the inactive file list: pages cached long ago sit on
 * the LRU lists, not in a CPU's folio batch. Filling stops at the high watermark of the memory
 * outside the pool (kswapd's target, mm/vmscan.c balance_pgdat), so the workload starts with
 * memory full but not yet reclaiming.
 */
std::uint64_t Kernel::prefill_page_cache(std::uint32_t file_id, std::uint64_t pages) {
    std::uint64_t done = 0;
    for (; done < pages; ++done) {
        if (m_alloc.free_pages_without_pool() <= m_alloc.watermark_pages(true)) break;
        const auto a = m_alloc.alloc_pages(0, kGfpPageCache, false);
        if (!a.ok) break;
        auto [it, fresh] = m_pages.emplace(a.pfn.value(), UserPage{});
        MTESIM_ASSERT(fresh, "a prefilled page allocated twice");
        UserPage &pg = it->second;
        pg.file = true;
        pg.file_id = file_id;
        pg.index = done;
        pg.list = LruLists::inactive(true);
        pg.lru = m_lru.add(a.pfn, pg.list);
        m_page_cache.set(file_id, done, a.pfn);
    }
    return done;
}

/* madvise(MADV_PAGEOUT): each page of the range that is mapped and not shared reclaimed at once.
 * madvise_pageout drains this CPU's LRU-add batch first (lru_add_drain);
 * madvise_cold_or_pageout_pte_range clears each folio's PG_referenced (the PTEs' access flags
 * stay: it clears them only for MADV_COLD) and collects a PMD's folios, and reclaim_pages runs shrink_folio_list on them (PG_active cleared, references
 * ignored): their TLB invalidations wait once a PMD (TlbFlushBatch). A folio whose write this
 * call started (an asynchronous swap device's) goes back to the inactive list. One it finds
 * under write-back is shrink_folio_list's case 2 (reclaim_pages is global reclaim, where
 * writeback_throttling_sane holds): marked PG_reclaim and activated (activate_locked), so that
 * its write's end moves it to the inactive tail, as reclaim's passes do. A pinned page is
 * deactivated like any other, then handled as reclaim handles it (pinned_page, drop_file_page):
 * kept on the inactive list (anonymous, not in the swap cache: no swap slot for it) or
 * activated (anonymous in the swap cache; a file page once unmapped). Until 2026-12-07 it was
 * passed over untouched. */
Kernel::Result Kernel::pageout(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    if (m_kmem.current_cpu() < m_lru_batches.cpus()) lru_add_drain_cpu(m_kmem.current_cpu());
    if (!m_rotations.empty()) rotate_written_pages();
    TlbFlushBatch batch(m_kmem, m_alloc.mutable_stats());
    for (const Vma &v : p->mm->vmas_in(base, base + len))
        for (std::uint64_t va = v.start; va < v.end; va += kPageSize) {
            if (va % k2M == 0) batch.flush(r.cycles); /* the previous PMD's reclaim_pages */
            const std::uint64_t pte = peek_pte(*p, va);
            const upte::Kind k = upte::kind(pte);
            if (k != upte::Kind::present && k != upte::Kind::metadata_none) continue;
            const Pfn pfn = upte::pfn(pte);
            // madvise_cold_or_pageout_pte_range (v6.6) leaves alone a folio mapped more than
            // once, file or anonymous ("Do not interfere with other mappings of this folio":
            // folio_mapcount != 1), and one not on an LRU list (in another CPU's LRU-add batch:
            // !folio_test_lru). Until 2026-12-07 the model paged out shared file pages and pages
            // in another CPU's batch.
            UserPage &pg = m_pages.at(pfn.value());
            if (pg.maps.size() != 1 || pg.batch_cpu >= 0) continue;
            pg.referenced = false;
            const bool found_writeback = under_writeback(pg);
            if (pg.list == LruLists::active(pg.file)) {
                pg.lru = m_lru.move(pg.lru, pg.list, LruLists::inactive(pg.file));
                pg.list = LruLists::inactive(pg.file);
            }
            // A pinned anonymous page, deactivated like any other, is then kept or activated as
            // reclaim's shrink_folio_list decides (pinned_page); a pinned file page is unmapped
            // and activated (evict). Not one locked (folio_trylock fails) or under write-back
            // (cases 1-3 first, below).
            const bool pinned_here = !found_writeback && !pg.locked(m_kmem.now_ps());
            const PinnedPage pin = pinned_here ? pinned_page(pg) : PinnedPage::no;
            if (pin == PinnedPage::keep) {
                ++m_stats.pinned_skipped;
                continue;
            }
            unsigned unqueued_dirty = 0;
            const Evicted evicted =
                pin == PinnedPage::activate ? Evicted::pinned : evict(pfn, r.cycles, batch, FileWriter::none, unqueued_dirty);
            if (evicted == Evicted::pinned) {
                ++m_stats.pinned_skipped;
                activate_locked(pg, pg.list);
                continue;
            }
            if (evicted == Evicted::no && pg.file && !pg.shmem && pg.dirty && !under_writeback(pg) &&
                !pg.locked(m_kmem.now_ps())) {
                // reclaim_pages' shrink_folio_list does not write a dirty file page either: it
                // goes back to the active list, PG_reclaim set (no flusher is woken).
                activate_locked(pg, pg.list);
                ++m_stats.file_dirty_activated;
            }
            // Not a write that completed, and rotated, in the time of a core ahead (reclaim's rule),
            // nor one locked for an I/O (folio_trylock fails: kept, unmarked).
            if (found_writeback && pg.rotated_end_ps != pg.writeback_end_ps && !pg.locked(m_kmem.now_ps())) {
                mark_reclaim(pfn, pg);
                activate_locked(pg, pg.list);
                ++m_stats.lru_writeback_activations;
            }
        }
    batch.flush(r.cycles);
    return r;
}

/*
 * madvise(MADV_DONTNEED) (madvise_dontneed_single_vma -> zap_page_range_single): the mapped
 * parts of the range lose their pages and swap entries, as munmap would, but the VMAs stay: a
 * later touch of private anonymous memory is a demand fault, a zeroed page whose tags are all 0
 * when PROT_MTE (Documentation/arch/arm64/memory-tagging-extension.rst: new pages come with
 * tags 0); a file page is found again in the page cache. Page tables are kept.
 */
Kernel::Result Kernel::dontneed(std::uint32_t pid, std::uint64_t base, std::uint64_t len) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    ++m_stats.madv_dontneed;
    for (const Vma &v : p->mm->vmas_in(base, base + len)) {
        TlbGather gather(m_tlb_flusher, pid); /* zap_page_range_single: one gather a VMA */
        zap_range(*p, v.start, v.end, r.cycles, &gather);
        gather.finish(r.cycles);
    }
    return r;
}

Kernel::Result Kernel::pin(std::uint32_t pid, std::uint64_t base, std::uint64_t len, bool pin) {
    Result r;
    Process *p = live(pid);
    if (!p) return Result{Outcome::killed, 0};
    for (std::uint64_t va = base & ~(kPageSize - 1); va < base + len; va += kPageSize) {
        std::uint64_t pte = peek_pte(*p, va);
        // pin_user_pages faults the page in (FOLL_WRITE), reservation and restore included.
        // A COW-shared page is copied first (FOLL_WRITE): the pin holds this process's own page.
        for (int tries = 0; pin && (upte::kind(pte) != upte::Kind::present || !upte::writable(pte)) && tries < 3; ++tries) {
            const Result f = handle_fault(pid, va, true);
            r.cycles += f.cycles;
            if (f.outcome != Outcome::ok) return Result{f.outcome, r.cycles};
            pte = peek_pte(*p, va);
        }
        std::optional<Pfn> pfn;
        if (upte::kind(pte) == upte::Kind::present) {
            pfn = upte::pfn(pte);
        } else if (const Vma *v = pin ? nullptr : p->mm->find_vma(va); v && v->file && !v->shmem) {
            // unpin_user_page holds the page, not the mapping: a pinned file page that reclaim
            // unmapped since (shrink_folio_list unmaps it before its pin sends it to the active
            // list) is still the file's page at this offset.
            pfn = m_page_cache.find(v->file_id, v->file_index(va));
        }
        if (!pfn) continue;
        UserPage &pg = m_pages.at(pfn->value());
        if (pin) {
            if (pg.pins++ == 0) m_alloc.set_pinned(*pfn, true);
            ++m_stats.pins;
        } else if (pg.pins) {
            if (--pg.pins == 0) m_alloc.set_pinned(*pfn, false);
            ++m_stats.unpins;
        }
    }
    return r;
}

/*
 * A kernel allocation (__alloc_pages_slowpath, v6.6); a user page's allocation at a fault takes
 * it too (FaultHandler::alloc_user_page, order 0, movable). On failure kswapd is woken and the free
 * lists tried again. A costly order (above 3), or any high order that is not movable, then
 * tries an async direct compaction first, as such requests are likely to have the pages but not
 * in one block; with __GFP_NORETRY a costly order gives up there if that compaction was skipped
 * or deferred, and otherwise keeps to async compaction. Then each round: kswapd woken, the free
 * lists tried, direct reclaim (left to compaction for a costly order when every zone is
 * compaction_ready), the free lists, direct compaction at the current priority
 * (DEF_COMPACT_PRIORITY, sync_light, to begin with). __GFP_NORETRY stops after that round, and
 * so does a costly order without __GFP_RETRY_MAYFAIL. Otherwise should_reclaim_retry (while
 * reclaim progresses or has failed at most 16 times, and free plus reclaimable pages would meet
 * the watermark) and, after reclaim progressed, should_compact_retry (which raises the priority
 * to sync_full) decide on another round.
 *
 * When neither does, reclaim has failed and __alloc_pages_may_oom runs the OOM killer, except
 * for a costly order or __GFP_RETRY_MAYFAIL (which fail instead). Its first step, one more
 * attempt at the high watermark to catch a kill made meanwhile on another CPU, is left out: the
 * model's kernel operations are atomic, so no other CPU frees memory during this one. The victim
 * (oom_badness) is killed. With the cores running the processes' threads (a signaller), its
 * memory comes back with its own exit, on its threads' CPUs: the allocation returns oom_wait, and
 * its caller sleeps a jiffy and asks again (out_of_memory's schedule_timeout_killable(1), then
 * "goto retry"); while a victim has not exited, the OOM killer kills no one else and the caller
 * sleeps again (oom_evaluate_task's abort: Linux loops through its reclaim rounds meanwhile). A
 * fault cannot sleep here and frees the victim's memory itself (reap_oom_victims). Without a
 * signaller the victim's memory is freed at once (the OOM reaper's work). Then the rounds start
 * again with their no-progress count cleared: Linux retries as long as the OOM killer makes
 * progress. When the
 * victim is the allocating process it goes on with the victim's reserves (ALLOC_OOM: half of the
 * min watermark), and if that fails too it gets nothing (the "tsk_is_oom_victim(current)" exit).
 * When no process can be killed Linux panics ("System is deadlocked on memory"); the model fails
 * the allocation and counts it (kernel.oom.no_victim), so the run goes on and reports it. A
 * non-costly GFP_KERNEL request thus fails only then: such requests are "too small to fail".
 *
 * Atomic requests neither reclaim nor compact nor kill. Linux loops as long as reclaim
 * progresses, which ends when the LRU lists and swap are exhausted; the model also stops after
 * kMaxRounds rounds (kernel.kalloc.round_limit), a safety net far above what a reclaim that frees
 * its batch each round needs: 65,536 rounds of 32 pages are 8 GiB reclaimed for one allocation.
 * (Direct reclaim for an unmovable request reclaims the pool's pages too, as mainline has since
 * "Revert "mm: skip CMA pages when they are not available"" (bfe0857c20c6, early 2024, also taken
 * into the stable series) removed skip_cma from isolate_lru_folios; so under cma-first such a
 * request may reclaim much of the pool's data before it frees a page it can use.)
 */
PageAllocator::Allocation Kernel::kalloc(unsigned order, GfpFlags gfp, std::optional<std::uint32_t> pid) {
    constexpr unsigned kMaxRounds = 1u << 16;
    auto oom_wait = [this](std::uint64_t cycles) {
        ++m_stats.oom_waits;
        PageAllocator::Allocation w;
        w.oom_wait = true;
        w.cycles = cycles;
        return w;
    };
    PageAllocator::SlowPath slow(m_alloc);
    std::uint64_t cycles = 0;
    auto got = [&cycles](PageAllocator::Allocation a) {
        a.cycles += cycles;
        return a;
    };
    auto a = m_alloc.alloc_pages(order, gfp, false);
    if (a.ok) {
        wake_kswapd(a.cycles);
        return a;
    }
    // wake_all_kswapds, then one more try before reclaiming (kswapd or kcompactd may have made
    // the memory already, or another CPU freed it).
    wake_kswapd(cycles, order, gfp.atomic);
    a = m_alloc.alloc_pages(order, gfp, false);
    if (a.ok) return got(a);
    if (!gfp.atomic) {
        const bool costly = order > Compactor::kCostlyOrder;
        Compactor::Result result = Compactor::Result::skipped;
        Compactor::Priority prio = Compactor::Priority::sync_light;
        bool give_up = false;
        if (costly || (order > 0 && gfp.type != MigrateType::movable)) {
            a = direct_compact(order, gfp, Compactor::Priority::async, cycles, result);
            if (a.ok) return got(a);
            if (costly && gfp.noretry) {
                give_up = result == Compactor::Result::skipped || result == Compactor::Result::deferred;
                prio = Compactor::Priority::async; /* INIT_COMPACT_PRIORITY: sync compaction costs too much */
            }
        }
        unsigned no_progress_loops = 0, compaction_retries = 0;
        for (unsigned round = 0; !give_up; ++round) {
            if (round == kMaxRounds) {
                ++m_stats.kalloc_round_limit;
                break;
            }
            wake_kswapd(cycles, order, false);
            a = m_alloc.alloc_pages(order, gfp, false);
            if (a.ok) return got(a);
            const bool progress = direct_reclaim_for(order, cycles);
            a = m_alloc.alloc_pages(order, gfp, false);
            if (a.ok) return got(a);
            a = direct_compact(order, gfp, prio, cycles, result);
            if (a.ok) return got(a);
            if (gfp.noretry || (costly && !gfp.retry_mayfail)) break;
            if (should_reclaim_retry(order, gfp, progress, no_progress_loops)) continue;
            if (progress && should_compact_retry(order, result, prio, compaction_retries)) continue;
            // __alloc_pages_may_oom
            if (costly || gfp.retry_mayfail || gfp.oom_reserves) break;
            // oom_evaluate_task's abort: a victim not yet exited (not MMF_OOM_SKIP) stops the
            // selection, and out_of_memory reports progress; the caller sleeps and retries.
            if (exiting_oom_victim(pid.value_or(0))) return oom_wait(cycles);
            const Process *victim = oom_kill_process(cycles, true);
            if (!victim) {
                ++m_stats.oom_no_victim;
                break;
            }
            ++m_stats.oom_kalloc;
            if (pid && victim->pid == *pid) gfp.oom_reserves = true;
            // out_of_memory's schedule_timeout_killable(1) after killing another process whose
            // exit is to free the memory (the victim's own call has a fatal signal pending and
            // does not sleep)
            else if (victim->mm) return oom_wait(cycles);
            no_progress_loops = 0;
        }
    }
    return got(m_alloc.alloc_pages(order, gfp, true));
}

/* ---- faults ------------------------------------------------------------------------------- */

void Kernel::program_set_tag(std::uint32_t pid, std::uint64_t va, std::uint8_t tag) {
    if (!m_checker) return;
    va &= (1ull << 48) - 1;
    // A shared (shmem) page's tags are every mapping's: each process's shadow learns the tag.
    const std::uint64_t pte = pte_of(pid, va);
    auto it = upte::kind(pte) == upte::Kind::present ? m_pages.find(upte::pfn(pte).value()) : m_pages.end();
    if (it == m_pages.end() || it->second.maps.size() < 2) {
        m_checker->set_tag(pid, va, tag);
        return;
    }
    for (const Mapping &m : it->second.maps) m_checker->set_tag(m.pid, m.va | (va & (kPageSize - 1)), tag);
}

/* ---- page records, unmapping -------------------------------------------------------------- */

UserPage &Kernel::add_user_page(Pfn pfn, bool file) {
    auto [it, fresh] = m_pages.emplace(pfn.value(), UserPage{});
    MTESIM_ASSERT(fresh, "a user page allocated twice");
    UserPage &pg = it->second;
    pg.file = file;
    pg.list = LruLists::inactive(file);
    // folio_add_lru: into the CPU's batch, which moves to the lists when full; straight onto
    // the list while lru_cache_disable() holds.
    const unsigned cpu = m_kmem.current_cpu();
    if (m_lru_batches.disabled() || cpu >= m_lru_batches.cpus()) {
        pg.lru = m_lru.add(pfn, pg.list);
    } else {
        pg.batch_cpu = static_cast<std::int32_t>(cpu);
        if (m_lru_batches.add(cpu, pfn)) lru_add_drain_cpu(cpu);
    }
    return pg;
}

void Kernel::free_user_page(Pfn pfn, std::uint64_t &cycles) {
    auto it = m_pages.find(pfn.value());
    MTESIM_ASSERT(it != m_pages.end(), "freeing a page that is not a user page");
    UserPage &pg = it->second;
    if (pg.batch_cpu >= 0) m_lru_batches.remove(static_cast<unsigned>(pg.batch_cpu), pfn);
    else m_lru.remove(pg.lru, pg.list);
    if (pg.shmem) m_shmem.erase(pg.file_id, pg.index);
    else if (pg.file) m_page_cache.erase(pg.file_id, pg.index);
    if (pg.ra_unused) ++m_stats.file_ra_unused;
    m_tag_keeper.pfn_tags().take(pfn.value());
    if (pg.pins) m_alloc.set_pinned(pfn, false); /* the pin's reference dies with the mapping here */
    m_pages.erase(it);
    cycles += m_alloc.free_pages(pfn);
}

void Kernel::unmap_page(Pfn pfn, std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles) {
    UserPage &pg = m_pages.at(pfn.value());
    pg.maps.erase(std::remove_if(pg.maps.begin(), pg.maps.end(),
                                 [&](const Mapping &m) { return m.pid == pid && m.va == va; }),
                  pg.maps.end());
    // A page-cache page stays in the cache; a page of an anonymous shared object (no file,
    // no fd) goes with its last mapping. memfd pages stay: the model never closes the fd.
    if (pg.shmem && pg.file_id >= kAnonShmemBase && pg.maps.empty()) return free_user_page(pfn, cycles);
    if (pg.file) return;
    if (Process *p = live(pid)) --p->anon_pages;
    else if (Process *dead = m_procs.find(pid)) --dead->anon_pages;
    if (!pg.maps.empty()) return; /* a COW-shared page lives while mapped */
    pg.anon_exclusive = false; /* no mapping left to be exclusive to (one kept in the swap cache cannot be mapped again: no swap PTE names its slot) */
    if (pg.swapcache()) {
        // free_pages_and_swap_cache: the last mapping of a page kept in the swap cache goes; the
        // page goes with it unless a swap PTE still names its slot or its I/O is in flight
        // (folio_free_swap), in which case reclaim frees it later.
        const auto s = static_cast<std::uint64_t>(pg.swap_slot);
        if (m_swap.references(s) || under_writeback(pg) || pg.locked(m_kmem.now_ps())) return;
        free_swap_cache_page(pfn, cycles);
        ++m_stats.swap_cache_zapped;
        return;
    }
    free_user_page(pfn, cycles);
}

/* unmap_vmas: each VMA's part of [@start, @end) zapped with its own flush (unmap_single_vma
 * between tlb_start_vma and tlb_end_vma, which flushes the range and resets it on arm64, where
 * the gather does not merge VMAs). */
void Kernel::unmap_region(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles) {
    for (const Vma &v : p.mm->vmas_in(start, end)) {
        TlbGather gather(m_tlb_flusher, p.pid);
        zap_range(p, std::max(v.start, start), std::min(v.end, end), cycles, &gather);
        gather.finish(cycles);
    }
}

/* zap_page_range: every entry of [start, end) cleared, its page unmapped (anonymous pages
 * freed, their parked tags dropped), its swap slot and saved tags freed; the present entries go
 * into the caller's @gather, flushed as one range when the caller finishes it. */
void Kernel::zap_range(Process &p, std::uint64_t start, std::uint64_t end, std::uint64_t &cycles, TlbGather *gather) {
    for (std::uint64_t va = start; va < end;) {
        const auto slot = p.mm->pte_slot(va, false, cycles);
        if (!slot) {
            va = (va + k2M) & ~(k2M - 1);
            continue;
        }
        const std::uint64_t pte = p.mm->read_pte(*slot, cycles);
        switch (upte::kind(pte)) {
        case upte::Kind::none: break;
        case upte::Kind::present:
        case upte::Kind::metadata_none:
            // zap_present_pte, for a page that is not anonymous (page cache, shmem): a dirty
            // entry dirties the page (folio_mark_dirty), a young one marks it accessed
            // (folio_mark_accessed), so the reference outlives the entry.
            if (auto it = m_pages.find(upte::pfn(pte).value()); it != m_pages.end() && it->second.file) {
                UserPage &pg = it->second;
                if (upte::dirty(pte)) {
                    if (!pg.dirty && !pg.shmem) m_throttle.account_kernel_dirtied();
                    pg.dirty = true;
                    pg.reclaim = false; /* folio_mark_dirty clears PG_reclaim */
                    note_file_dirty(pg);
                }
                if (const Mapping *m = pg.mapping(p.pid, va); m && m->young) mark_page_accessed(pg);
            }
            unmap_page(upte::pfn(pte), p.pid, va, cycles);
            break;
        case upte::Kind::swap: {
            // The saved tags and data go with the slot's last reference (swap_free of a shared
            // entry). With the last reference gone, a page still in the swap cache goes too
            // unless its write is in flight (free_swap_and_cache: __try_to_reclaim_swap fails on
            // PG_writeback; reclaim frees it later).
            const std::uint64_t s = upte::swap_slot(pte);
            if (m_swap.free(s)) {
                m_tag_keeper.swap_tags().take(s);
                m_data.drop_swap(s);
            } else if (!m_swap.references(s) && m_swap.cached(s)) {
                const Pfn c = *m_swap_cache.find(s);
                const UserPage &cached = m_pages.at(c.value());
                if (!under_writeback(cached) && !cached.locked(m_kmem.now_ps()) && !cached.pins) {
                    free_swap_cache_page(c, cycles);
                    ++m_stats.swap_cache_zapped;
                }
            }
            --p.swap_pages;
            break;
        }
        }
        if (pte) {
            p.mm->write_pte(*slot, 0, cycles);
            if (gather && upte::kind(pte) == upte::Kind::present) gather->add(va);
        }
        if (m_checker) m_checker->drop_page(p.pid, va);
        va += kPageSize;
    }
}

/* ---- cleancache, migration of a mapped page ------------------------------------------------ */

/*
 * cleancache_put_page (mm/cleancache.c), called as reclaim removes a clean page-cache page
 * (__remove_mapping -> __filemap_remove_folio; a dirty page was written back first, so it is
 * clean by now). The backend takes a free pool page, or, when the pool has none free, reuses
 * the frame of its oldest copy (an ephemeral backend evicts as it likes; tmem evicts its
 * least recently put ephemeral pages), and copies the page into it through the memory system.
 * A pool with no page at all (the static carve-out, no MTE) takes nothing.
 */
void Kernel::cleancache_put(Pfn pfn, const UserPage &pg, std::uint64_t &cycles) {
    std::optional<Pfn> dst = m_alloc.alloc_cleancache_page();
    if (!dst) {
        dst = m_cleancache.oldest();
        if (!dst) return;
        const auto old = m_cleancache.erase(*dst);
        m_page_cache.note_dropped(old->file_id, old->index);
        ++m_stats.cleancache_evictions;
    }
    cycles += m_kmem.copy_pages(pfn, *dst, 1);
    m_data.copy_page_data(pfn, *dst);
    m_cleancache.insert(pg.file_id, pg.index, *dst);
    ++m_stats.cleancache_puts;
}

bool Kernel::migrate_user_page(std::uint32_t pid, std::uint64_t va, std::uint64_t &cycles) {
    Process *p = live(pid);
    if (!p) return false;
    const std::uint64_t pte = peek_pte(*p, va);
    const upte::Kind k = upte::kind(pte);
    if (k != upte::Kind::present && k != upte::Kind::metadata_none) return false;
    return migrate_page(upte::pfn(pte), cycles);
}

/* ---- inspection --------------------------------------------------------------------------- */

void Kernel::verify(std::uint32_t pid, std::uint64_t va) {
    if (m_checker) m_checker->check_page(pid, va & ~(kPageSize - 1));
}

Kernel::TagLocation Kernel::locate_tags(std::uint32_t pid, std::uint64_t va, TagXarray::PageTags &out) const {
    return m_tag_keeper.locate(pid, va, out);
}

std::string Kernel::check_invariants() const { return KernelInvariantChecker(*this).check(); }

}  // namespace mtesim
