// Kernel: reclaim and swap-out (mm/vmscan.c reduced to its policy; see kernel.h).
#include "mtesim/common/sim_assert.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/shadow_tag_checker.h"
#include "mtesim/kernel/user_pte.h"

#include <algorithm>
#include <vector>

namespace mtesim {

/*
 * wakeup_kswapd (mm/vmscan.c). An order-0 allocation that leaves fewer free pages than the low
 * watermarks (counting, as __zone_watermark_ok does for allocations without ALLOC_CMA, no free
 * pages of the pool) wakes kswapd, as get_page_from_freelist's ALLOC_WMARK_LOW check sends the
 * allocation to __alloc_pages_slowpath, whose first step is wake_all_kswapds; the allocation
 * itself goes on down to the min watermark, and only below it reclaims directly. A high-order
 * allocation that fails wakes kswapd for its order unless the node is balanced for it
 * (pgdat_balanced: then only a request that cannot reclaim directly, an atomic one, wakes
 * kcompactd straight away). A hopeless node (kswapd_failures at MAX_RECLAIM_RETRIES: Kswapd)
 * is not woken at all: direct reclaim does the work, and an atomic request wakes kcompactd
 * for its order. kswapd then runs as its own thread: the allocating thread does not wait for it.
 */
void Kernel::wake_kswapd(std::uint64_t &cycles, unsigned order, bool atomic) {
    if (!m_config.kswapd) return;
    if (order == 0) {
        if (m_alloc.free_pages_without_pool() >= m_alloc.watermark_pages(false)) return;
    } else if (m_kswapd.balanced(order)) {
        if (atomic) wake_kcompactd(order);
        return;
    }
    if (m_kswapd.hopeless()) {
        /* Hopeless node, leave it to direct reclaim if possible: a request that cannot reclaim
         * (atomic) wakes kcompactd for its order instead (wakeup_kcompactd ignores order 0). */
        m_kswapd.refuse_wake(order);
        if (atomic && order) wake_kcompactd(order);
        return;
    }
    if (m_kswapd.wake(order)) wake_thread(m_kswapd, cycles);
}

void Kernel::wake_kcompactd(unsigned order) {
    std::uint64_t cycles = 0; /* accounting only: the work is charged to the CPU running it */
    if (m_kcompactd.wake(order)) wake_thread(m_kcompactd, cycles);
}

/*
 * try_to_wake_up: the scheduler queues the thread on a CPU (an idle one when there is one,
 * select_idle_sibling); waking an idle CPU takes a reschedule IPI (smp_send_reschedule), one
 * SGI the waking CPU sends (kernel.ipi_send_cycles). With no scheduler the thread runs now,
 * on this CPU, to completion.
 */
void Kernel::wake_thread(IKernelThread &thread, std::uint64_t &cycles) {
    if (m_kthread_waker) {
        if (m_kthread_waker(thread)) {
            ++m_kthread_wake_ipis;
            cycles += m_kmem.wait_cycles(m_alloc.config().lru_disable.ipi_send_cycles);
        }
        return;
    }
    std::uint64_t c = 0;
    while (thread.run_once(c)) {
    }
    thread.account(c);
    cycles += c;
}

bool Kernel::has_free_block(unsigned order) const {
    for (const auto &z : m_alloc.zones())
        for (unsigned o = order; o <= Zone::kMaxOrder; ++o)
            for (unsigned t = 0; t < kMigrateTypes; ++t) {
                const auto type = static_cast<MigrateType>(t);
                if (type == MigrateType::cma || type == MigrateType::isolate) continue;
                if (z->nr_free(o, type)) return true;
            }
    return false;
}

/*
 * sysctl_compaction_handler: a write to vm.compact_memory runs compact_nodes() in the writer's
 * context, compact_node() for each node: every populated zone compacted with order -1,
 * whole_zone and MIGRATE_SYNC, until the migrate and free scanners meet (compact_finished
 * continues for order -1 when the run is not proactive).
 */
Kernel::Result Kernel::compact_memory() {
    Result r;
    ++m_stats.compact_memory_calls;
    const std::uint64_t start = m_kmem.now_ps();
    for (const auto &z : m_alloc.zones()) {
        if (!z->managed_pages()) continue;
        m_stats.compact_memory_pages +=
            m_compactor.compact_zone_whole(*z, Compactor::WholeZone{std::nullopt, MigrateMode::sync, {}}, r.cycles).pages_migrated;
    }
    m_stats.compact_memory_ps += m_kmem.now_ps() - start;
    return r;
}

/* compaction_proactiveness_sysctl_handler: the value, and for a value above 0 kcompactd woken with
 * proactive_compact_trigger set. */
Kernel::Result Kernel::set_compaction_proactiveness(unsigned value) {
    Result r;
    if (m_kcompactd.set_proactiveness(value)) wake_thread(m_kcompactd, r.cycles);
    return r;
}

/* kcompactd_do_work's compaction: every zone from the lowest, MIGRATE_SYNC_LIGHT, for
 * GFP_KERNEL, deferred zones skipped (Compactor::compact with a kcompactd request). */
bool Kernel::compact_background(unsigned order, std::uint64_t &cycles, std::uint64_t &migrated) {
    const std::uint64_t before = m_alloc.stats().compact_pages_migrated;
    const Compactor::Request req{order, MigrateType::unmovable, Compactor::Priority::sync_light, false, false};
    const bool ok = m_compactor.compact(req, cycles) == Compactor::Result::success;
    migrated = m_alloc.stats().compact_pages_migrated - before;
    return ok;
}

Compactor::Result Kernel::compact(unsigned order, std::uint64_t &cycles, GfpFlags gfp, Compactor::Priority prio) {
    MmStats &st = m_alloc.mutable_stats();
    ++st.compact_priority[static_cast<std::size_t>(prio)];
    const Compactor::Request req{order, gfp.type, prio, true, m_alloc.pool_usable(gfp)};
    const Compactor::Result r = m_compactor.compact(req, cycles);
    if (r != Compactor::Result::skipped) ++st.compact_stalls; /* COMPACTSTALL: a deferred one counts too */
    return r;
}

PageAllocator::Allocation Kernel::direct_compact(unsigned order, GfpFlags gfp, Compactor::Priority prio,
                                                 std::uint64_t &cycles, Compactor::Result &result) {
    result = Compactor::Result::skipped;
    if (!order) return PageAllocator::Allocation{};
    result = compact(order, cycles, gfp, prio);
    if (result == Compactor::Result::skipped) return PageAllocator::Allocation{};
    auto a = m_alloc.alloc_pages(order, gfp, false);
    if (a.ok) m_compactor.allocation_succeeded(a.pfn, order);
    else ++m_alloc.mutable_stats().compact_fail;
    return a;
}

/* try_to_free_pages from __alloc_pages_direct_reclaim. For a costly order, shrink_zones passes
 * over each zone that is compaction_ready; the node is reclaimed when one is not, and
 * do_try_to_free_pages reports progress when any was ready ("aborted reclaim to try
 * compaction"), so that the slow path compacts next. The model reclaims its usual batch (at
 * least the order's pages), as before. */
bool Kernel::direct_reclaim_for(unsigned order, std::uint64_t &cycles) {
    ++m_stats.direct_reclaims;
    Compactor::Readiness ready;
    if (order > Compactor::kCostlyOrder) ready = m_compactor.ready(order);
    if (ready.zones && ready.ready == ready.zones) return true;
    const std::uint64_t freed = reclaim(std::max<std::uint64_t>(m_config.reclaim_batch, 1ull << order), cycles);
    m_stats.direct_reclaimed += freed;
    return freed > 0 || ready.ready > 0;
}

std::uint64_t Kernel::reclaimable_pages() const {
    std::uint64_t n = m_lru.size(LruLists::inactive_file) + m_lru.size(LruLists::active_file);
    if (m_swap.used() < m_swap.capacity()) n += m_lru.size(LruLists::inactive_anon) + m_lru.size(LruLists::active_anon);
    return n;
}

/* should_reclaim_retry (v6.6): a round counts as without progress when reclaim freed nothing,
 * and always for a costly order; more than MAX_RECLAIM_RETRIES of them end the retries.
 * Otherwise retry while some zone would meet its min watermark for the order with its free
 * pages plus what reclaim could still free (zone_reclaimable_pages: the model's lists are the
 * node's, so the node's free pages are tested against the node's marks). */
bool Kernel::should_reclaim_retry(unsigned order, GfpFlags gfp, bool progress, unsigned &no_progress_loops) const {
    constexpr unsigned kMaxReclaimRetries = 16;
    if (progress && order <= Compactor::kCostlyOrder) no_progress_loops = 0;
    else ++no_progress_loops;
    if (no_progress_loops > kMaxReclaimRetries) return false;
    const std::uint64_t free = m_alloc.pool_usable(gfp) ? m_alloc.free_pages() : m_alloc.free_pages_without_pool();
    return free + reclaimable_pages() >= m_alloc.watermark_min_pages() + (1ull << order);
}

/* should_compact_retry (v6.6). A compaction skipped for want of free pages is retried when
 * reclaim could make it suitable (compaction_zonelist_suitable). One that succeeded while the
 * allocation then failed (another took the block) is retried up to MAX_COMPACT_RETRIES times, a
 * quarter of that for a costly order. Otherwise the priority goes up one step, down to
 * MIN_COMPACT_PRIORITY (sync_full; MIN_COMPACT_COSTLY_PRIORITY, sync_light, for a costly
 * order), with the retry count cleared; at the top it gives up. */
bool Kernel::should_compact_retry(unsigned order, Compactor::Result result, Compactor::Priority &prio,
                                  unsigned &retries) const {
    constexpr unsigned kMaxCompactRetries = 16;
    if (!order) return false;
    if (result == Compactor::Result::skipped) return m_compactor.zonelist_suitable(order, reclaimable_pages());
    const bool costly = order > Compactor::kCostlyOrder;
    if (result == Compactor::Result::success && ++retries <= (costly ? kMaxCompactRetries / 4 : kMaxCompactRetries))
        return true;
    const Compactor::Priority min = costly ? Compactor::Priority::sync_light : Compactor::Priority::sync_full;
    if (prio > min) {
        prio = static_cast<Compactor::Priority>(static_cast<unsigned>(prio) - 1);
        retries = 0;
        return true;
    }
    return false;
}

/*
 * shrink_lruvec, approximately. Each step first keeps each inactive list at least as long as
 * its active list (deactivating the active tail, its referenced bit cleared), then looks at the
 * tail of the inactive file list, or of the inactive anonymous list when no file page is
 * inactive and a swap slot is free (file pages go first: swappiness below 100). A referenced
 * page gets a second chance on the active list; a pinned one is kept or activated as its pins
 * allow (pinned_page, drop_file_page); otherwise it is
 * evicted: a clean file page dropped (into cleancache when the pool is one), an anonymous page
 * swapped out (freed at once by a synchronous device; otherwise kept in the swap cache while
 * written, and freed when found again written: swap_out), a swap-cache page whose write is done
 * freed. A dirty file page is unmapped and sent back to the active list, PG_reclaim, for the
 * flusher (drop_file_page); a batch of nothing but such pages wakes the flusher; kswapd writes
 * one itself only under PGDAT_DIRTY, and direct reclaim only standing in for a flusher that
 * cannot run within this operation (the end of the pass loop). A page found under write-back is
 * marked PG_reclaim if it was not (shrink_folio_list's case 2, sc->nr.writeback), unless kswapd
 * finds it so marked already while PGDAT_WRITEBACK is set (case 1: nr_immediate, pages cycling
 * through the lists faster than they are written); either way it is activated (activate_locked),
 * once per chain of passes (a departure, docs/policies.md: found again in the same chain, it
 * stays at the inactive head as a page only write-back holds). A write of a PG_reclaim page moves it to the inactive
 * tail as it completes (folio_rotate_reclaimable,
 * rotate_written_pages, looked at before each page scanned), so the scan frees it next. A pass
 * is bounded by twice the pages on the lists, and ends early once only pages under write-back
 * (or locked for I/O) are left. Direct reclaim that falls short while pages are under write-back waits
 * for the first of them to complete and scans again (the model's reclaim_throttle,
 * at most kWritebackThrottles times). kswapd does not wait here: when every page it took was
 * under write-back it sets PGDAT_WRITEBACK (shrink_node; decided for each pass), and a pass that found nr_immediate pages makes it sleep until writes
 * complete (Kswapd::run_once, WritebackThrottle). Any reclaim that frees a page resets kswapd's
 * failure count (shrink_node), so a hopeless node is kswapd's again. Each SWAP_CLUSTER_MAX
 * (32) pages looked at on an inactive list are one shrink_folio_list call: the TLB entries of
 * the pages it unmaps are invalidated in one batch, waited for once at its end
 * (try_to_unmap_flush), or earlier when a page with a dirty PTE is written out (evict). Shmem
 * pages, which the model keeps on the file lists (Linux's are on the anonymous ones), do not
 * count among a batch's or a pass's pages for the flusher and PGDAT_DIRTY rules.
 */
std::uint64_t Kernel::reclaim(std::uint64_t pages, std::uint64_t &cycles, bool direct, ReclaimLooks *looks) {
    constexpr unsigned kWritebackThrottles = 4;
    constexpr unsigned kIsolateBatch = 32; /* SWAP_CLUSTER_MAX: shrink_inactive_list's nr_to_scan */
    std::uint64_t freed = 0;
    // shrink_inactive_list's lru_add_drain(): this CPU's batch joins the lists first.
    if (m_kmem.current_cpu() < m_lru_batches.cpus()) lru_add_drain_cpu(m_kmem.current_cpu());
    // Pages reclaimed while the pool had free pages are the second half of starvation: memory
    // that a request could not use was free, and user pages paid for it.
    const bool pool_free = m_alloc.free_pages(MigrateType::cma) > 0;
    struct CountStarved {
        bool on;
        std::uint64_t &freed;
        MmStats &stats;
        ~CountStarved() {
            if (on) stats.starvation_reclaimed += freed;
        }
    } count{pool_free, freed, m_alloc.mutable_stats()};
    TlbFlushBatch batch(m_kmem, m_alloc.mutable_stats());
    unsigned looked = 0;  /* pages of the current shrink_folio_list call */
    unsigned counted = 0; /* of those, the pages Linux's call would hold (shmem is on its anon lists) */
    unsigned unqueued_dirty = 0; /* of those, dirty file pages not under write-back */
    std::vector<std::uint64_t> taken; /* their pfns: a call isolates a page once */
    taken.reserve(kIsolateBatch);
    std::uint64_t node_file_taken = 0, node_unqueued_dirty = 0; /* the whole call's (shrink_node's sc->nr) */
    std::uint64_t node_taken = 0, node_writeback = 0, immediate = 0; /* sc->nr.taken, .writeback, .immediate */
    // The end of a shrink_inactive_list call: when every page it took was a dirty file page not
    // yet queued for write-back, the flushers are not keeping up: wake them for all dirty pages
    // (wakeup_flusher_threads(WB_REASON_VMSCAN)).
    const auto end_batch = [&] {
        batch.flush(cycles);
        if (counted && unqueued_dirty == counted && m_flusher.wake_all(m_dirty.size())) wake_thread(m_flusher, cycles);
        looked = 0;
        counted = 0;
        unqueued_dirty = 0;
        taken.clear();
    };
    // Direct reclaim standing in for the flusher: see the end of the pass loop.
    bool stand_in = false;
    // The chain this call belongs to (a call without looks is a chain of its own): a page found
    // under write-back is activated once in a chain (below).
    if (looks && !looks->serial) looks->serial = ++m_reclaim_chains;
    const std::uint64_t chain = looks ? looks->serial : ++m_reclaim_chains;
    // A page left on the inactive list busy (under write-back, or locked) counts once among the
    // pages known only busy: in a chain with looks, whose counts carry over its passes; in a
    // call without, in each pass, whose counts start afresh (busy_epoch). It no longer counts
    // once it leaves for the active list.
    std::uint64_t busy_epoch = chain;
    const auto count_busy = [&](UserPage &pg, std::uint64_t &seen_count) {
        if (pg.busy_counted_chain == busy_epoch) return;
        pg.busy_counted_chain = busy_epoch;
        ++seen_count;
    };
    for (unsigned pass = 0;; ++pass) {
        if (!looks && pass) busy_epoch = ++m_reclaim_chains;
        std::uint64_t budget = 2 * m_pages.size() + 16;
        std::uint64_t writeback_end = ~0ull, dirty_kept = 0;
        std::uint64_t writeback_seen = looks ? looks->file_busy : 0, anon_busy_seen = looks ? looks->anon_busy : 0;
        std::uint64_t call_looked = 0; /* pages this call looked at */
        while (freed < pages && budget--) {
            if (looks && looks->limit && call_looked == looks->limit) {
                looks->cut = true;
                break;
            }
            if (!m_rotations.empty()) rotate_written_pages();
            for (bool file : {true, false}) {
                const LruLists::List act = LruLists::active(file), inact = LruLists::inactive(file);
                if (m_lru.size(act) > m_lru.size(inact)) {
                    const auto h = m_lru.tail(act);
                    m_alloc.scan_page(Pfn(*h)); /* shrink_active_list */
                    UserPage &pg = m_pages.at(*h);
                    clear_young(pg, cycles); /* folio_referenced; PG_referenced stays */
                    pg.lru = m_lru.move(h, act, inact);
                    pg.list = inact;
                }
            }
            LruLists::List list;
            const bool file_left = m_lru.size(LruLists::inactive_file) > writeback_seen;
            // Anonymous pages while a slot is free, or while the swap cache holds pages whose
            // slots a later pass can give back.
            const bool anon_left = m_lru.size(LruLists::inactive_anon) > anon_busy_seen &&
                                   (m_swap.used() < m_swap.capacity() || m_swap_cache.size() > 0);
            if (file_left) list = LruLists::inactive_file;
            else if (anon_left) list = LruLists::inactive_anon;
            else break;
            ++call_looked;
            ++node_taken;
            const Pfn pfn(*m_lru.tail(list));
            UserPage &pg = m_pages.at(pfn.value());
            m_alloc.scan_page(pfn); /* isolate_lru_folios / shrink_folio_list look at it */
            // A shrink_inactive_list call isolates at most SWAP_CLUSTER_MAX pages, each once: a
            // page it sent back that comes round again belongs to the next call.
            if (looked == kIsolateBatch || std::find(taken.begin(), taken.end(), pfn.value()) != taken.end())
                end_batch(); /* the previous call's try_to_unmap_flush */
            ++looked;
            taken.push_back(pfn.value());
            if (!pg.shmem) ++counted;
            if (pg.file && !pg.shmem) ++node_file_taken;
            const LruLists::List act = LruLists::active(pg.file);
            // shrink_folio_list looks at the references of a page it could lock and that is not
            // under write-back (those are kept or activated below, their access flags
            // untouched). A pinned page is looked at as any other: its references first, then
            // (pinned_page below) what its pins make of the rest.
            const bool found_writeback = under_writeback(pg);
            const bool busy = pg.locked(m_kmem.now_ps()) || found_writeback;
            const FolioRef ref = busy ? FolioRef::reclaim : check_references(pg, cycles);
            const bool referenced = ref == FolioRef::keep || ref == FolioRef::activate;
            const PinnedPage pin = busy || referenced ? PinnedPage::no : pinned_page(pg);
            if (pin == PinnedPage::keep) {
                ++m_stats.pinned_skipped;
                pg.lru = m_lru.move(pg.lru, list, list); /* keep_locked: back to the inactive head */
                continue;
            }
            if (pin == PinnedPage::activate || referenced) {
                // folio_check_dirty_writeback comes before the references are looked at.
                if (pg.file && !pg.shmem && pg.dirty && !under_writeback(pg)) {
                    ++unqueued_dirty;
                    ++node_unqueued_dirty;
                }
                if (ref == FolioRef::keep) {
                    // keep_locked: back to the head of the inactive list, PG_referenced set.
                    ++m_stats.lru_kept;
                    pg.lru = m_lru.move(pg.lru, list, list);
                    continue;
                }
                if (ref == FolioRef::activate) ++m_stats.lru_activations;
                else ++m_stats.pinned_skipped;
                activate_locked(pg, list);
                continue;
            }
            const unsigned dirty_before = unqueued_dirty;
            // FOLIOREF_RECLAIM_CLEAN: a file page only PG_referenced is reclaimed if clean,
            // never written by reclaim.
            const bool clean_only = ref == FolioRef::reclaim_clean;
            const FileWriter writer = !direct     ? (clean_only ? FileWriter::kswapd_clean : FileWriter::kswapd)
                                      : clean_only ? FileWriter::none
                                      : stand_in   ? FileWriter::stand_in
                                                   : FileWriter::none;
            const Evicted evicted = evict(pfn, cycles, batch, writer, unqueued_dirty);
            node_unqueued_dirty += unqueued_dirty - dirty_before;
            if (evicted == Evicted::freed) {
                ++freed;
            } else if (evicted == Evicted::pinned) {
                // A pinned file page, unmapped: shrink_folio_list's "Folio is unmapped now so it
                // cannot be newly pinned anymore" (activate_locked).
                ++m_stats.pinned_skipped;
                activate_locked(pg, list);
            } else if (evicted == Evicted::keep) {
                // keep_locked: back to the inactive head, dirty, PG_reclaim kept (the look
                // cleared PG_referenced), for the flusher to write or the next look.
                pg.lru = m_lru.move(pg.lru, list, list);
                ++m_stats.file_dirty_kept;
            } else if (pg.locked(m_kmem.now_ps())) {
                // Locked for an I/O in flight (its read, or a write-back being started): kept on
                // the inactive list (shrink_folio_list's "keep": folio_trylock failed), like a page
                // under write-back.
                pg.lru = m_lru.move(pg.lru, list, list);
                count_busy(pg, pg.file ? writeback_seen : anon_busy_seen); /* not evictable now: as a write-back */
            } else if (pg.file && !pg.shmem && pg.dirty && !under_writeback(pg)) {
                // A dirty file page reclaim does not write (drop_file_page): back to the active
                // list, PG_reclaim set, for the flusher to write (activate_locked).
                pg.lru = m_lru.move(pg.lru, list, act);
                pg.list = act;
                ++m_stats.file_dirty_activated;
                ++dirty_kept;
            } else if (pg.writeback_end_ps && (pg.file || pg.swapcache() || under_writeback(pg))) {
                // Under write-back (just started, or still running; a file page or an anonymous
                // one in the swap cache). Written by this look, it goes to the inactive head
                // (pageout's PAGE_SUCCESS: keep, not counted as nr_writeback). Found so, it is
                // case 1 or 2 of shrink_folio_list, and activated (activate_locked) so that
                // reclaim's scans pass over it until its write's end moves it to the inactive
                // tail (rotate_written_pages), unless this chain of passes activated it already:
                // brought back by the lists' balance while still under write-back, it stays at
                // the inactive head and counts as a page only write-back holds, as one just
                // written does, so that the chain moves on once only such pages are left (Linux's
                // shrink_node scans a slice of each list, and its lists side by side; the model's
                // passes take the file list first, and would otherwise send the same pages round
                // between the two lists for as long as their writes run). Nor a page whose write
                // has already completed and rotated in the time of a core ahead of this one (see
                // below): it is left at the inactive head as before.
                const bool activate = found_writeback && pg.writeback_activated_chain != chain &&
                                      pg.rotated_end_ps != pg.writeback_end_ps;
                if (found_writeback) {
                    if (!direct && pg.reclaim && m_pgdat_writeback) {
                        ++immediate;
                    } else {
                        mark_reclaim(pfn, pg); /* folio_set_reclaim */
                        ++node_writeback;
                    }
                }
                writeback_end = std::min(writeback_end, pg.writeback_end_ps);
                std::uint64_t &seen_count = pg.file ? writeback_seen : anon_busy_seen;
                if (activate) {
                    pg.writeback_activated_chain = chain;
                    pg.lru = m_lru.move(pg.lru, list, act);
                    pg.list = act;
                    ++m_stats.lru_writeback_activations;
                    if (pg.busy_counted_chain == busy_epoch) { /* counted when written or locked earlier */
                        pg.busy_counted_chain = 0;
                        --seen_count;
                    }
                } else {
                    pg.lru = m_lru.move(pg.lru, list, list);
                    count_busy(pg, seen_count);
                }
            } else {
                pg.lru = m_lru.move(pg.lru, list, act);
                pg.list = act;
            }
        }
        end_batch();
        if (looks) {
            looks->looked += call_looked;
            looks->file_busy = writeback_seen;
            looks->anon_busy = anon_busy_seen;
        }
        // Direct reclaim that fell short with no write in flight to wait for, having sent dirty
        // file pages back while a flusher woken for them (by this reclaim or by a writer) waits
        // to run: in Linux that flusher writes them on another CPU while the allocation retries
        // and throttles. In the model a kernel operation is
        // atomic on its core, so the flusher cannot run before this allocation is decided (it
        // would end in the OOM killer with memory full of dirty page cache): the reclaimer
        // stands in for it, one more pass writing the PG_reclaim pages itself
        // (kernel.file.direct_writebacks), then waits for the first write as usual.
        if (direct && freed < pages && writeback_end == ~0ull && dirty_kept && m_flusher.awake() && !stand_in &&
            pass < kWritebackThrottles) {
            stand_in = true;
            continue;
        }
        if (freed >= pages || !direct || writeback_end == ~0ull || pass >= kWritebackThrottles) break;
        const std::uint64_t now = m_kmem.now_ps();
        if (writeback_end > now) {
            cycles += m_kmem.io_wait_until(writeback_end);
            ++m_stats.writeback_throttles;
        }
    }
    cycles += m_alloc.take_work();
    if (freed) m_kswapd.reclaim_progress(); /* shrink_node: "reclaimable" resets kswapd_failures */
    // shrink_node, kswapd only: every file page it took was dirty and not queued for I/O (also
    // when it took none, as Linux's equality test has it): kswapd may now write those it marked
    // PG_reclaim before (PGDAT_DIRTY). A kswapd chain decides at its end (end_reclaim_chain).
    // And every page it took was under write-back, found so (sc->nr.writeback == sc->nr.taken):
    // PGDAT_WRITEBACK, decided for each pass (Linux's shrink_node at kswapd's first priorities
    // takes lru_size >> priority pages a list, fewer than a pass's 32 for lists below 128 Ki
    // pages): over a chain, the pages a chain writes would keep it from ever being set.
    m_stats.kswapd_immediate += immediate;
    if (!direct && node_writeback && node_writeback == node_taken) m_pgdat_writeback = true;
    if (looks) {
        looks->file_taken += node_file_taken;
        looks->unqueued_dirty += node_unqueued_dirty;
        looks->taken += node_taken;
        looks->writeback += node_writeback;
        looks->immediate = immediate;
    } else if (!direct) {
        if (node_unqueued_dirty == node_file_taken) m_pgdat_dirty = true;
    }
    return freed;
}

void Kernel::end_reclaim_chain(ReclaimLooks &looks) {
    if (looks.unqueued_dirty == looks.file_taken) m_pgdat_dirty = true;
    looks = ReclaimLooks{};
}

/* folio_referenced (mm/rmap.c, v6.6) for the model's one PTE a mapping: the rmap walk finds each
 * PTE mapping the page (page_vma_mapped_walk reads it) and ptep_clear_flush_young tests and
 * clears its access flag; a young one's TLB entry is dropped with a TLBI not waited for
 * (arm64 elides the DSB: at worst a CPU keeps using the stale young entry), so the next access
 * walks and sets the flag again (Kernel::mark_accessed). */
unsigned Kernel::clear_young(UserPage &pg, std::uint64_t &cycles) {
    unsigned young = 0;
    for (Mapping &m : pg.maps) {
        if (Process *p = m_procs.with_mm(m.pid)) {
            if (const auto slot = p->mm->pte_slot(m.va, false, cycles)) p->mm->read_pte(*slot, cycles);
        }
        if (!m.young) continue;
        m.young = false;
        ++young;
        m_tlb_flusher.page_nosync(m.pid, m.va, cycles);
    }
    return young;
}

/*
 * folio_check_references (mm/vmscan.c, v6.6, classic LRU), for a page at the inactive tail that
 * shrink_folio_list could lock and that is not under write-back. The young PTEs are counted and
 * cleared (folio_referenced) and PG_referenced tested and cleared. A page with young PTEs gets
 * PG_referenced back; it is activated when it had PG_referenced already (referenced on two
 * scans) or more than one PTE was young, and otherwise kept on the inactive list (a page
 * referenced once since it was last looked at is not promoted: use-once pages stay inactive).
 * A page with no young PTE is reclaimed; a file page with PG_referenced alone (read(2) marked
 * it, nothing maps it young) only if it is clean (FOLIOREF_RECLAIM_CLEAN). The VM_EXEC rule
 * (executable file pages activated at their first reference) has no counterpart: the model has
 * no executable mappings. Shmem pages, on Linux's anonymous lists, are not file-LRU here.
 */
Kernel::FolioRef Kernel::check_references(UserPage &pg, std::uint64_t &cycles) {
    const unsigned young = clear_young(pg, cycles);
    const bool referenced = pg.referenced;
    pg.referenced = false;
    if (young) {
        pg.referenced = true;
        return referenced || young > 1 ? FolioRef::activate : FolioRef::keep;
    }
    if (referenced && pg.file && !pg.shmem) return FolioRef::reclaim_clean;
    return FolioRef::reclaim;
}

/* folio_rotate_reclaimable at the end of a write reclaim started: a page on the LRU lists (not
 * in a CPU's LRU-add batch), clean and not locked, goes to the tail of its inactive list, off
 * the active list if it was there (lru_move_tail_fn clears PG_active). The page's PG_reclaim
 * goes with the rotation. An entry whose page was freed, reused or written again since (no
 * PG_reclaim, or another write-back end) is dropped; a migrated page with PG_reclaim has an
 * entry under its new pfn (PageMigrator::move). */
void Kernel::rotate_written_pages() {
    const std::uint64_t now = m_kmem.now_ps();
    m_rotations.take_due(now, [this, now](Pfn pfn, std::uint64_t end_ps) {
        auto it = m_pages.find(pfn.value());
        if (it == m_pages.end()) return;
        UserPage &pg = it->second;
        if (!pg.reclaim || pg.writeback_end_ps != end_ps) return;
        pg.reclaim = false;
        pg.rotated_end_ps = end_ps;
        if (pg.dirty || pg.batch_cpu >= 0 || pg.locked(now)) return;
        const LruLists::List inactive = LruLists::inactive(pg.file);
        if (pg.list != inactive) {
            pg.lru = m_lru.move(pg.lru, pg.list, inactive);
            pg.list = inactive;
        }
        m_lru.rotate_to_tail(pg.lru, pg.list);
        ++m_stats.writeback_rotations;
    });
}

Kernel::Evicted Kernel::evict(Pfn pfn, std::uint64_t &cycles, TlbFlushBatch &batch, FileWriter writer,
                              unsigned &unqueued_dirty) {
    UserPage &pg = m_pages.at(pfn.value());
    auto freed = [](bool yes) { return yes ? Evicted::freed : Evicted::no; };
    if (pg.pins && !pg.file) return Evicted::no; /* the caller's (pinned_page) */
    if (pg.locked(m_kmem.now_ps())) return Evicted::no; /* shrink_folio_list: folio_trylock failed, keep it */
    if (pg.shmem) return Evicted::no; /* shmem goes to swap in Linux (shmem_writeout): not modelled, kept resident */
    if (pg.file) return drop_file_page(pfn, pg, cycles, batch, writer, unqueued_dirty);
    if (pg.swapcache()) return freed(reclaim_swap_cache_page(pfn, pg, cycles, batch));
    // Mapped back by a fault while its last write to swap still runs: shrink_folio_list keeps
    // a page under write-back.
    if (under_writeback(pg)) return Evicted::no;
    return freed(swap_out(pfn, pg, cycles, batch));
}

/* What shrink_folio_list (v6.6) makes of a pinned page it could lock, not under write-back and
 * not kept or activated by its references (pin_user_pages: folio_maybe_dma_pinned). An anonymous
 * one not in the swap cache gets no slot ("if (folio_maybe_dma_pinned(folio)) goto keep_locked",
 * since Linux 5.11: a pinned page put into the swap cache could be swapped in as another page
 * while the pin's holder still writes the first): kept on the inactive list. One in the swap
 * cache is activated: mapped, it fails try_to_unmap (page_try_share_anon_rmap refuses to share a
 * pinned exclusive page); mapped nowhere, it reaches the pin test that follows the unmapping
 * (v6.4, d824ec2a1546: activate_locked). Not decided here: a file page, unmapped as any other and
 * then activated (drop_file_page: Evicted::pinned), and a shmem one, which the model does not
 * reclaim (evict) pinned or not. */
Kernel::PinnedPage Kernel::pinned_page(const UserPage &pg) const {
    if (!pg.pins || pg.file) return PinnedPage::no;
    return pg.swapcache() ? PinnedPage::activate : PinnedPage::keep;
}

/* activate_locked (shrink_folio_list): the page goes to the active list of its kind from
 * @from; a page kept in the swap cache by a swap-in gives its slot back when swap is more than
 * half full (folio_free_swap; not while a swap PTE names the slot or its write runs). */
void Kernel::activate_locked(UserPage &pg, LruLists::List from) {
    if (pg.swapcache() && !pg.maps.empty() && 2 * m_swap.used() > m_swap.capacity() &&
        !m_swap.references(static_cast<std::uint64_t>(pg.swap_slot)) && !under_writeback(pg)) {
        m_faults.drop_from_swap_cache(pg);
        ++m_stats.swap_cache_freed_full;
    }
    const LruLists::List act = LruLists::active(pg.file);
    pg.lru = m_lru.move(pg.lru, from, act);
    pg.list = act;
}

/* A swap-cache page at the inactive tail (shrink_folio_list). Still under write-back, it is
 * kept. One a fault mapped back (its slot kept: do_swap_page) is unmapped to the same swap entry
 * (try_to_unmap). Clean (mapped read-only ever since: any store, an STG included, faults, and
 * only an exclusive page is made writable in place), it needs no write: its saved tags and
 * bytes are still the page's. Dirtied in place (a dirty PTE, or PG_dirty), it is written to its
 * slot again as a new swap-out is (pageout: swap_writepage's arch_prepare_to_swap saves its
 * tags anew). Otherwise, written, it is freed (__remove_mapping: delete_from_swap_cache), its
 * slot and saved tags staying with the swap PTEs that name them. */
bool Kernel::reclaim_swap_cache_page(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch) {
    if (under_writeback(pg)) return false; /* shrink_folio_list looks at PG_writeback before unmapping */
    if (!pg.maps.empty()) {
        const auto slot = static_cast<std::uint64_t>(pg.swap_slot);
        bool dirty = false;
        const std::vector<Mapping> maps =
            unmap_to_swap(pg, slot, m_tag_keeper.swap_tags().contains(slot), 0, cycles, batch, dirty);
        if (dirty || pg.dirty) {
            ++m_stats.swap_rewrites;
            return write_to_swap(pfn, pg, slot, maps, cycles);
        }
        ++m_stats.swap_clean_unmaps;
        for (const Mapping &m : maps) verify(m.pid, m.va);
    }
    free_swap_cache_page(pfn, cycles);
    ++m_stats.swap_cache_reclaimed;
    return true;
}

/* A page leaves the swap cache and is freed. Its slot's SWAP_HAS_CACHE goes; a slot no swap
 * PTE names any more is freed with its saved tags and data (put_swap_folio). */
void Kernel::free_swap_cache_page(Pfn pfn, std::uint64_t &cycles) {
    UserPage &pg = m_pages.at(pfn.value());
    MTESIM_ASSERT(pg.swapcache() && pg.maps.empty(), "freeing a page not in the swap cache, or mapped");
    m_faults.drop_from_swap_cache(pg);
    m_data.zero_page(pfn); /* its bytes live on in the slot; the freed page's copy is dropped */
    free_user_page(pfn, cycles);
}

/* A file page leaves the page cache (shrink_folio_list). One under write-back stays, mapped as it
 * is: shrink_folio_list tests PG_writeback before it tries to unmap (cases 1-3; until 2026-12-07
 * the model unmapped it first). Otherwise it is unmapped, its PTEs' dirty bits read back
 * (try_to_unmap); a clean one is copied into the pool when it is a
 * cleancache (cleancache_put) and freed. A dirty one is not written by reclaim (v6.6: "Only
 * kswapd can writeback filesystem folios ... only write folios when we've encountered many
 * dirty folios, and when we've already scanned the rest of the LRU for clean folios and see the
 * same dirty folios again (with the reclaim flag set)"): it is marked PG_reclaim and stays, the
 * caller activating it, for the flusher to write. A dirty PTE read back here clears PG_reclaim
 * first (try_to_unmap's folio_mark_dirty). Only kswapd, with PGDAT_DIRTY set and PG_reclaim
 * still set from an earlier pass, or direct reclaim standing in for the flusher (@writer;
 * Kernel::reclaim), starts its write (pageout: the issuer pays the transfer, the write
 * completes a device latency and a transfer later), after waiting for the TLBIs of the
 * unmapping (and any other dirty PTE's: try_to_unmap_flush_dirty); the page stays,
 * PG_writeback, until then. The unmapping's TLBIs go into @batch. */
Kernel::Evicted Kernel::drop_file_page(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch,
                                       FileWriter writer, unsigned &unqueued_dirty) {
    if (under_writeback(pg)) return Evicted::no;
    const bool was_dirty = pg.dirty;
    if (unmap_everywhere(pg, cycles, batch)) { /* try_to_unmap's folio_mark_dirty of a dirty PTE */
        pg.reclaim = false;
        note_file_dirty(pg);
        if (!was_dirty && !pg.shmem) m_throttle.account_kernel_dirtied();
    }
    // Pinned: "Folio is unmapped now so it cannot be newly pinned anymore. No point in trying to
    // reclaim folio if it is pinned" (v6.4, d824ec2a1546): activate_locked, before the dirty
    // path (never written or marked here). folio_check_dirty_writeback counted it already.
    if (pg.pins) {
        if (was_dirty) ++unqueued_dirty;
        return Evicted::pinned;
    }
    if (pg.dirty) {
        ++unqueued_dirty;
        const bool kswapd = writer == FileWriter::kswapd || writer == FileWriter::kswapd_clean;
        const bool may_write = pg.reclaim && ((kswapd && m_pgdat_dirty) || writer == FileWriter::stand_in);
        if (!may_write) {
            pg.reclaim = true;
            return Evicted::no;
        }
        // shrink_folio_list: kswapd could write it, but FOLIOREF_RECLAIM_CLEAN goes to keep_locked
        // before pageout.
        if (writer == FileWriter::kswapd_clean) return Evicted::keep;
        batch.flush_dirty(cycles);
        start_file_write(pfn, pg, cycles); /* PG_reclaim stays: the page rotates when written */
        ++(writer == FileWriter::kswapd ? m_stats.file_writebacks : m_stats.file_direct_writebacks);
        return Evicted::no;
    }
    ++m_stats.file_pages_dropped;
    // A page a short write left unfilled holds nothing to keep (not uptodate: not put).
    if (m_alloc.config().tag_reserve == TagReservePath::cleancache && !pg.shmem && pg.uptodate) cleancache_put(pfn, pg, cycles);
    free_user_page(pfn, cycles);
    return Evicted::freed;
}

/* try_to_unmap of an anonymous page bound for swap @slot (@refs_held of its references already
 * taken): every PTE mapping it (one, or several while it is COW-shared after fork) turned into
 * the swap entry, with @saved its tagged bit, the slot's count raised for each further one
 * (swap_duplicate) and the TLB entries' invalidation issued into @batch; a dirty PTE's
 * invalidation is waited for (try_to_unmap_flush_dirty). Returns the mappings it removed. */
std::vector<Kernel::Mapping> Kernel::unmap_to_swap(UserPage &pg, std::uint64_t slot, bool saved, unsigned refs_held,
                                                   std::uint64_t &cycles, TlbFlushBatch &batch, bool &any_dirty) {
    const std::vector<Mapping> maps = pg.maps;
    // try_to_unmap_one: PageAnonExclusive moves to the swap entry (page_try_share_anon_rmap).
    const bool exclusive = pg.anon_exclusive && maps.size() == 1;
    pg.anon_exclusive = false;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        const Mapping &m = maps[i];
        Process *p = m_procs.with_mm(m.pid); /* an OOM victim not yet exited still has its pages mapped */
        MTESIM_ASSERT(p, "an anonymous page of a process without an address space");
        if (i >= refs_held) m_swap.duplicate(slot);
        const auto pte_slot = p->mm->pte_slot(m.va, false, cycles);
        MTESIM_ASSERT(pte_slot, "a mapped page without its page table");
        const std::uint64_t old = p->mm->read_pte(*pte_slot, cycles);
        p->mm->write_pte(*pte_slot, upte::swap_entry(slot, saved, exclusive), cycles);
        // pte_dirty: an anonymous entry mapped writable is hardware-dirty on arm64 (PTE_WRITE
        // set, PTE_RDONLY clear: do_anonymous_page makes it pte_mkdirty); the model's anonymous
        // entries carry no DBM bit, so writable stands for it. A COW-shared entry is read-only
        // with PTE_DIRTY, as fork's pte_wrprotect left it.
        const bool dirty = upte::kind(old) == upte::Kind::present && (upte::dirty(old) || upte::writable(old));
        any_dirty |= dirty;
        if (upte::kind(old) == upte::Kind::present) m_tlb_flusher.page(m.pid, m.va, cycles, &batch, dirty);
        --p->anon_pages;
        ++p->swap_pages;
    }
    pg.maps.clear();
    batch.flush_dirty(cycles);
    return maps;
}

/*
 * Swap-out of an anonymous page (shrink_folio_list): a slot and the swap cache (add_to_swap:
 * the slot's SWAP_HAS_CACHE), every PTE mapping the page (one, or several while it is
 * COW-shared after fork: try_to_unmap) turned into the swap entry, the slot's count raised for
 * each (swap_duplicate) and the TLB entries' invalidation issued into @batch; a dirty PTE's
 * invalidation is waited for (try_to_unmap_flush_dirty); then pageout: swap_writepage saves the
 * tags under the slot when the page is tagged (arch_prepare_to_swap, mte_save_tags: read from
 * tag storage, or taken over from the pfn xarray when the storage was still pending) and
 * starts the write. The issuer pays the transfer (the device's bandwidth back-pressure).
 * A synchronous device (no request latency: zram, SWP_SYNCHRONOUS_IO, which
 * swap_writepage_bdev_sync waits for) has written the page when pageout returns, and the page
 * is freed in this pass, its tag storage reference with it. Otherwise the page stays in the
 * swap cache, PG_writeback, until the write completes a device latency and a transfer after it
 * started; a later reclaim pass frees it (reclaim_swap_cache_page), and a fault before that
 * maps it back without a read (FaultHandler::fault_swap).
 */
bool Kernel::swap_out(Pfn pfn, UserPage &pg, std::uint64_t &cycles, TlbFlushBatch &batch) {
    const auto slot = m_swap.allocate();
    if (!slot) {
        ++m_stats.swap_full;
        return false;
    }
    MTESIM_ASSERT(!pg.maps.empty(), "an anonymous page not mapped");
    m_swap.set_cached(*slot);
    m_swap_cache.insert(*slot, pfn);
    pg.swap_slot = static_cast<std::int64_t>(*slot);
    const bool saved = pg.mte_tagged; /* the swap PTEs say whether tags are saved under the slot */
    bool dirty = false;
    const std::vector<Mapping> maps = unmap_to_swap(pg, *slot, saved, 1, cycles, batch, dirty);
    return write_to_swap(pfn, pg, *slot, maps, cycles);
}

/* pageout of an anonymous page in the swap cache, its PTEs already the swap entries @maps:
 * swap_writepage saves the tags under @slot when the page is tagged (arch_prepare_to_swap,
 * mte_save_tags: read from tag storage, or taken over from the pfn xarray when the storage was
 * still pending; a page written again replaces what its slot held) and starts the write, whose
 * transfer the issuer pays. A synchronous device has written the page on return, which frees
 * it (returns true); otherwise it stays in the swap cache under write-back, PG_reclaim. */
bool Kernel::write_to_swap(Pfn pfn, UserPage &pg, std::uint64_t slot, const std::vector<Mapping> &maps,
                           std::uint64_t &cycles) {
    if (pg.mte_tagged) {
        TagXarray::PageTags t{};
        // The page keeps its tags (it stays in memory, in the swap cache): the parked copy of a
        // page whose storage is pending is read, not taken.
        if (const auto *parked = m_tag_keeper.pfn_tags().find(pfn.value())) t = *parked;
        else if (m_tag_keeper.storage_reserved(pfn)) m_tag_keeper.read_page_tags(pfn, t, cycles);
        m_tag_keeper.swap_tags().store(slot, t);
        ++m_stats.tags_saved_swap;
    }
    cycles += wait_for_tag(m_swap_dev);
    const std::uint64_t start = m_kmem.now_ps();
    cycles += m_kmem.io_wait(m_swap_dev.write_page_ns());
    m_data.save_to_swap(pfn, slot);
    pg.dirty = false; /* clear_page_dirty_for_io: the write takes the page's contents */
    ++m_stats.swap_outs;
    for (const Mapping &m : maps) verify(m.pid, m.va);
    if (m_swap_dev.synchronous()) {
        free_swap_cache_page(pfn, cycles);
        return true;
    }
    pg.writeback_end_ps = m_swap_dev.write_done_ps(start, m_kmem.horizon_ps(), m_kmem.current_cpu());
    retire_writebacks(); /* a workload that writes only to swap retires its writes here */
    m_writeback.started(pg.writeback_end_ps, false);
    writeback_started();
    m_rotations.add(pfn, pg.writeback_end_ps); /* pageout's folio_set_reclaim */
    pg.reclaim = true;
    ++m_stats.swap_writebacks;
    return false;
}

}  // namespace mtesim
