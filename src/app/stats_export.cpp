// StatsExport: see the header. Names are dotted paths following the SystemC object names
// (board.cpu@0.loads), so they match the DTS; docs/stats.md lists them.
#include "app/stats_export.h"

#include "mtesim/common/config_error.h"
#include "mtesim/cpu/core_preset.h"
#include "mtesim/common/format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace mtesim {

namespace {

/* The DRAM latency histograms' last bucket starts here, in tCK cycles (2^16: 82 us on DDR3-1600,
 * 41 us on DDR4-3200). */
constexpr std::uint64_t kLatencyHistTop = 65536;

std::string number(double v, bool integer) {
    char buf[64];
    if (integer) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void write_atomically(const std::filesystem::path &path, const std::string &content) {
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary);
        out << content;
        if (!out) throw ConfigError(path.string() + ": cannot write, expected a writable output directory");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw ConfigError(path.string() + ": cannot write (" + ec.message() + ")");
}

}  // namespace

void StatsExport::add(std::string name, double value, bool integer, std::string unit, std::string description) {
    m_stats.push_back(Stat{std::move(name), value, integer, std::move(unit), std::move(description)});
}

StatsExport::StatsExport(const RunResult &r, const std::string &board, const std::string &workload)
    : m_result(r), m_board(board), m_workload(workload) {
    add_count("sim.time_ps", r.sim_ps, "ps", "simulated time at the end of the run");
    add_count("sim.events", r.events, "events", "trace events read");
    add_count("sim.threads", r.threads, "threads", "threads created");
    add_count("sim.faults", r.faults.size(), "faults", "faults reported (faults.csv)");
    const BootStats &b = r.boot.linear_map;
    add_count("boot.time_ps", r.boot_ps, "ps", "simulated time of the whole boot");
    add_count("boot.linear_map_ps", r.linear_map_ps, "ps", "simulated time of the linear-map step");
    for (unsigned l = 1; l < 4; ++l)
        add_count("boot.tables.L" + std::to_string(l), b.tables[l], "tables", "page-table pages created at this level");
    add_count("boot.late_tables", b.late_tables, "tables", "created after the linear map existed");
    add_count("boot.fixmap_maps", b.fixmap_maps, "operations", "fixmap set (PTE write + barriers)");
    add_count("boot.fixmap_unmaps", b.fixmap_unmaps, "operations", "fixmap clear (PTE write + TLBI + barriers)");
    add_count("boot.tlbis", b.tlbis, "TLBIs", "TLB invalidations");
    add_count("boot.bytes_zeroed", b.bytes_zeroed, "bytes", "page-table pages zeroed");
    add_count("boot.bytes_written", b.bytes_written, "bytes", "entries and fixmap PTEs written");
    add_count("boot.reserved_pages", r.boot.reserved_pages, "pages", "memblock reservations (page tables, the memmap)");
    add_count("boot.memmap_pages", r.boot.memmap_pages, "pages", "of those, the memmap's: 64-byte struct pages of every present 128 MiB section (mm.memmap)");
    add_count("boot.instructions", b.instructions, "instructions", "kernel instructions of the linear map (docs/timing-model.md)");
    add_count("boot.barriers", b.barriers, "barriers", "DSB and ISB instructions of the linear map");
    add_count("boot.cycles.instructions", b.instruction_cycles, "cycles", "linear-map cycles issuing instructions");
    add_count("boot.cycles.memory", b.memory_cycles, "cycles", "linear-map cycles of loads, stores and zeroing");
    add_count("boot.cycles.barriers", b.barrier_cycles, "cycles", "linear-map cycles of DSB and ISB");
    add_count("boot.cycles.tlbi", b.tlbi_cycles, "cycles", "linear-map cycles waiting for TLBI completion");
    add_count("boot.tlbi_sync_cycles", r.boot.tlbi_sync_cycles, "cycles", "one TLBI + DSB ISH (DVM broadcast or kernel.tlbi_cycles)");
    const SchedStats &sc = r.sched;
    add_count("sched.migrations.idle_pull", sc.migrations_idle_pull, "threads", "moved by newidle_balance: a core going idle pulled a waiting thread");
    add_count("sched.migrations.periodic", sc.migrations_periodic, "threads", "moved by periodic load_balance (a busy core's, or an idle core's nohz balance)");
    add_count("sched.migrations.wake", sc.migrations_wake, "threads", "woken onto a core other than their last (select_idle_sibling)");
    add_count("sched.migrations.misfit", sc.migrations_misfit, "threads", "running misfit threads pushed to a bigger idle CPU (migrate_misfit, active balance; capacity awareness)");
    add_count("sched.migrations.misfit_newidle", sc.migrations_misfit_newidle, "threads", "of those, pulled by a bigger CPU going newly idle (newidle_balance; capacity awareness)");
    add_count("sched.misfit_ticks", sc.misfit_ticks, "ticks", "scheduler ticks that found the running thread too big for its CPU (update_misfit_status; capacity awareness)");
    add_count("sched.preemptions", sc.preemptions, "threads", "user threads that gave their core at the end of their slice to a thread waiting there (sched.time_slice; a kernel thread always preempts)");
    add_count("sched.balance_passes.newidle", sc.balance_passes_newidle, "passes", "newidle_balance passes (a core went idle while another had 2+ threads or, with capacity awareness, ran a misfit thread)");
    add_count("sched.balance_passes.periodic", sc.balance_passes_periodic, "passes", "periodic load_balance passes");
    add_count("sched.balance_failed", sc.balance_failed, "passes", "periodic passes that found an imbalance and moved nothing (nr_balance_failed)");
    add_count("sched.hot_skipped", sc.hot_skipped, "threads", "threads a pass left because they were cache hot (ran within sched.migration_cost_us)");
    add_count("sched.hot_forced", sc.hot_forced, "threads", "cache-hot threads moved after more than cache_nice_tries failed passes");
    for (std::size_t i = 0; i < r.cores.size(); ++i) {
        const CoreStats &c = r.cores[i];
        const std::string p = r.core_names[i] + ".";
        add_count(p + "cycles", c.cycles, "cycles", "local time at the end");
        add_count(p + "events", c.events, "events", "trace events executed");
        add_count(p + "loads", c.loads, "accesses", "ld events");
        add_count(p + "stores", c.stores, "accesses", "st events");
        add_count(p + "l1_hits", c.l1_hits, "lines", "L1D hits");
        add_count(p + "l1_misses", c.l1_misses, "lines", "L1D misses (incl. lines without tags on a tagged access)");
        add_count(p + "l2_hits", c.l2_hits, "lines", "private L2 hits");
        add_count(p + "l2_misses", c.l2_misses, "lines", "private L2 misses");
        add_count(p + "llc_hits", c.llc_hits, "lines", "LLC hits");
        add_count(p + "llc_misses", c.llc_misses, "lines", "LLC misses");
        add_count(p + "tag_fetches", c.tag_fetches, "lines", "lines whose tags came from DRAM");
        add_count(p + "tlb_hits", c.tlb_hits, "translations", "L1 data TLB hits");
        add_count(p + "tlb_misses", c.tlb_misses, "translations", "L1 data TLB misses (incl. read-only entries a store found)");
        add_count(p + "l2_tlb_hits", c.l2_tlb_hits, "translations", "L2 TLB hits (L1 dTLB misses it served)");
        add_count(p + "l2_tlb_misses", c.l2_tlb_misses, "translations", "L2 TLB misses (a table walk followed)");
        add_count(p + "dram_reads", c.dram_reads, "transactions", "reads sent to memory");
        add_count(p + "dram_writes", c.dram_writes, "transactions", "writes sent to memory");
        add_count(p + "tag_checks", c.tag_checks, "accesses", "accesses checked against allocation tags");
        add_count(p + "tag_check_granules", c.tag_check_granules, "granules", "granules compared");
        add_count(p + "branch_mispredicts", c.branch_mispredicts, "branches", "mispredicted branches the trace reported (mispredict=M)");
        add_count(p + "mispredict_cycles", c.mispredict_cycles, "cycles", "front-end refill cycles charged for them (core.mispredict_penalty_cycles each)");
        add_count(p + "faults_sync", c.faults_sync, "faults", "SEGV_MTESERR");
        add_count(p + "faults_async", c.faults_async, "faults", "SEGV_MTEAERR");
        add_count(p + "faults_maperr", c.faults_maperr, "faults", "SEGV_MAPERR");
        add_count(p + "faults_other", c.faults_other, "faults", "BUS_ADRALN and bus errors");
        add_count(p + "faults_heap", c.faults_heap, "faults", "double and invalid frees the heap model caught");
        add_count(p + "mallocs", c.mallocs, "allocations", "malloc, calloc and realloc events");
        add_count(p + "heap_frees", c.heap_frees, "frees", "free events (and realloc's frees) that succeeded");
        add_count(p + "heap_tag_granules", c.heap_tag_granules, "granules", "granules the heap tagged or retagged");
        add_count(p + "kernel_entries", c.kernel_entries, "entries", "syscalls, faults, context switches");
        add_count(p + "threads_killed", c.threads_killed, "threads", "threads ended by a fault");
        static const char *ops[] = {"irg", "addg", "subg", "ldg", "stg", "st2g", "stzg", "stz2g", "dc_gzva"};
        for (std::size_t k = 0; k < c.tag_ops.size(); ++k)
            add_count(p + "tag_ops." + ops[k], c.tag_ops[k], "instructions", std::string(ops[k]) + " executed");
        add_count(p + "kallocs", c.kallocs, "allocations", "kalloc events");
        add_count(p + "kalloc_failures", c.kalloc_failures, "allocations", "kalloc events that got no memory");
        add_count(p + "kernel_cycles", c.kernel_cycles, "cycles", "kernel work on this core (allocator, faults, reclaim, I/O waits)");
        add_count(p + "pages_copied", c.pages_copied, "pages", "pages the kernel copied on this core (copy_page: migration)");
        add_count(p + "page_copy_cycles", c.page_copy_cycles, "cycles", "cycles of those copies (until their stores drained)");
        add_count(p + "pages_zeroed", c.pages_zeroed, "pages", "pages the kernel zeroed on this core (clear_page)");
        add_count(p + "struct_page_accesses", c.struct_page_accesses, "accesses", "the kernel's loads and stores of struct pages on this core (the memmap's lines through the caches; mm.memmap)");
        add_count(p + "tlb_flush_cycles", c.tlb_flush_cycles, "cycles", "cycles of the kernel's TLB flushes on this core (TLBIs, their DSB ISH and ISB; kernel.tlbi_timing), part of kernel_cycles");
        add_count(p + "dvm_wait_cycles", c.dvm_wait_cycles, "cycles", "of those, waiting for the DVM node to finish sending other cores' operations (boards with an /interconnect)");
        add_count(p + "page_zero_cycles", c.page_zero_cycles, "cycles", "cycles of that zeroing (until its stores drained)");
        add_count(p + "syncs", c.syncs, "syncs", "times the core synchronised with SystemC time (host cost, not simulated time)");
        add_count(p + "page_walks", c.page_walks, "walks", "hardware page-table walks");
        add_count(p + "walk_cache_hits", c.walk_cache_hits, "walks", "walks whose upper levels came from the walk cache");
        add_count(p + "walk_cache_misses", c.walk_cache_misses, "walks", "walks that read every level");
        add_count(p + "walk_cycles", c.walk_cycles, "cycles", "cycles of the walks' table reads, summed over walks");
        add_count(p + "hw_dirty_updates", c.hw_dirty_updates, "entries", "writable-clean entries the walker marked dirty on a store (DBM)");
        add_count(p + "page_faults", c.page_faults, "faults", "walks that found no valid entry (the kernel's fault handler ran)");
        add_count(p + "kthread_cycles", c.kthread_cycles, "cycles", "time this core ran kernel threads (kswapd, kcompactd), switches included");
        add_count(p + "kthread_switches", c.kthread_switches, "switches", "switches to a kernel thread on this core");
        if (i < r.sched.idle_ps.size())
            add_count(p + "idle_ps", r.sched.idle_ps[i], "ps", "time this core had no thread to run (the scheduler's view: from a scheduling point finding nothing to the next finding a thread)");
        for (unsigned k = 0; k < kKernelLockClasses; ++k) {
            const std::string lp = p + "lock." + kernel_lock_class_name(static_cast<KernelLockClass>(k)) + ".";
            const CoreStats::LockStats &l = c.locks[k];
            add_count(lp + "acquisitions", l.acquisitions, "acquisitions", "times this core took a lock of this class");
            add_count(lp + "contended", l.contended, "acquisitions", "of those, times it found the lock held in a conflicting mode");
            add_count(lp + "wait_cycles", l.wait_cycles, "cycles", "cycles this core waited for locks of this class");
        }
        add_count(p + "prefetch_issued", c.prefetch_issued, "lines", "L1D stride prefetches sent");
        add_count(p + "prefetch_useful", c.prefetch_useful, "lines", "L1D-prefetched lines a demand access used");
        add_count(p + "prefetch_late", c.prefetch_late, "lines", "of those, lines still in flight when used");
        add_count(p + "l2_prefetch_issued", c.l2_prefetch_issued, "lines", "L2 stream prefetches sent");
        add_count(p + "l2_prefetch_useful", c.l2_prefetch_useful, "lines", "L2-prefetched lines an L1D miss then took");
        add_count(p + "l2_prefetch_late", c.l2_prefetch_late, "lines", "of those, lines still in flight when taken");
        add_count(p + "demand_l2_buffer_waits", c.demand_l2_buffer_waits, "accesses", "demand loads, stores and walks' reads that missed the private L2 and waited for one of its miss buffers (l2.mshrs, held by prefetches too)");
        add_count(p + "demand_l2_buffer_wait_cycles", c.demand_l2_buffer_wait_cycles, "cycles", "cycles those accesses waited in all");
        add_count(p + "prefetch_l2_buffer_waits", c.prefetch_l2_buffer_waits, "lines", "prefetches that missed the private L2 and waited for one of its miss buffers (l2.mshrs)");
        add_count(p + "prefetch_l2_buffer_wait_cycles", c.prefetch_l2_buffer_wait_cycles, "cycles", "cycles those prefetches waited in all");
        add_count(p + "l2_buffers_peak", c.l2_buffers_peak, "buffers", "most of the private L2's miss buffers held at once, by demand misses and prefetches (at most l2.mshrs)");
        add_count(p + "write_streamed_lines", c.write_streamed_lines, "lines", "full-line store misses the L1D wrote without reading the line first (write streaming, l1d.write_streaming_lines)");
        add_count(p + "write_streamed_memory_lines", c.write_streamed_memory_lines, "lines", "of those, lines written to memory and allocated in no cache (past l1d.write_streaming_memory_lines)");
        add_count(p + "write_streamed_checked_lines", c.write_streamed_checked_lines, "lines", "of those, lines a tag-checked store wrote, their allocation tags fetched without the data (AMBA CHI's TagOp Fetch)");
    }
    for (const auto &d : r.drams) {
        const double tck_ns = d.config.tck_ps / 1000.0;
        for (const auto &[cls, t] : {std::pair<const char *, const DramTrafficStats *>{"data", &d.stats.data}, {"tag", &d.stats.tag}}) {
            const std::string p = d.name + "." + cls + ".";
            add_count(p + "reads", t->reads, "requests", std::string(cls) + " reads");
            add_count(p + "writes", t->writes, "requests", std::string(cls) + " writes");
            add_count(p + "row_hits", t->row_hits, "requests", "row buffer hits");
            add_count(p + "row_misses", t->row_misses, "requests", "row buffer misses (bank precharged)");
            add_count(p + "row_conflicts", t->row_conflicts, "requests", "row buffer conflicts");
            add_count(p + "bytes", t->bytes, "bytes", "moved on the data bus");
            add_count(p + "from_write_queue", t->from_write_queue, "requests", "reads forwarded from / writes merged into the write queue");
            add(p + "latency_avg", t->latency.mean() * tck_ns, false, "ns", "reads: queue entry to last data beat, mean");
            add(p + "latency_p99", static_cast<double>(t->latency.percentile(0.99)) * tck_ns, false, "ns", "reads: 99th percentile");
            add(p + "write_latency_avg", t->write_latency.mean() * tck_ns, false, "ns", "writes: queue entry to last data beat in DRAM, mean");
            add(p + "write_latency_p99", static_cast<double>(t->write_latency.percentile(0.99)) * tck_ns, false, "ns", "writes: 99th percentile");
            // The distributions themselves, in power-of-two buckets of tCK cycles (the bounds,
            // inclusive, in the names): [0, 16), [16, 32), ..., [32768, 65536), [65536, inf).
            for (const auto &[hist, h] : {std::pair<const char *, const LatencyHistogram *>{"latency_hist", &t->latency},
                                          {"write_latency_hist", &t->write_latency}}) {
                const bool reads = hist[0] == 'l';
                for (std::uint64_t lo = 0, hi = 16; lo <= kLatencyHistTop; lo = hi, hi *= 2) {
                    const bool last = lo == kLatencyHistTop;
                    const std::string bounds = "tck_" + std::to_string(lo) + (last ? "_up" : "_" + std::to_string(hi - 1));
                    add_count(p + hist + "." + bounds, h->count_in(lo, last ? UINT64_MAX : hi), "requests",
                              std::string(reads ? "reads" : "writes") + " with a latency in " +
                                  (last ? ">= " + std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi - 1)) +
                                  " tCK cycles");
                }
            }
        }
        const DramSchedulerStats &q = d.stats.scheduler;
        const std::string sp = d.name + ".scheduler.";
        add(sp + "read_queue_avg", q.read_queue_mean(), false, "requests", "read queue occupancy, time average over channels");
        add(sp + "write_queue_avg", q.write_queue_mean(), false, "requests", "write queue occupancy, time average over channels");
        add_count(sp + "read_queue_max", q.read_queue_max, "requests", "read queue occupancy, maximum");
        add_count(sp + "write_queue_max", q.write_queue_max, "requests", "write queue occupancy, maximum");
        add_count(sp + "drain_episodes", q.drain_episodes, "episodes", "write drains (high watermark or opportunistic)");
        add_count(sp + "drain_high_watermark", q.drain_high_watermark, "episodes", "write drains started at the high watermark");
        add_count(sp + "read_to_write", q.read_to_write, "turnarounds", "WR after RD on a channel");
        add_count(sp + "write_to_read", q.write_to_read, "turnarounds", "RD after WR on a channel");
        add_count(sp + "rank_switches", q.rank_switches, "turnarounds", "column commands to another rank than the previous");
        add_count(sp + "acts", q.acts, "commands", "ACT");
        add_count(sp + "pres", q.pres, "commands", "PRE (for requests, refresh and timeouts)");
        add_count(sp + "refreshes_per_bank", q.refreshes_per_bank, "commands", "REFsb/REFpb");
        add_count(sp + "bypass_cap_hits", q.bypass_cap_hits, "decisions", "ready row hits held back by the FR-FCFS cap");
        for (std::size_t g = 0; g < q.bg_hits.size(); ++g) {
            const std::string bp = sp + "bankgroup" + std::to_string(g) + ".";
            add_count(bp + "row_hits", q.bg_hits[g], "requests", "row hits in bank group g (all ranks and channels)");
            add_count(bp + "row_misses", q.bg_misses[g], "requests", "row misses in bank group g");
            add_count(bp + "row_conflicts", q.bg_conflicts[g], "requests", "row conflicts in bank group g");
        }
        add_count(d.name + ".tag_cache.hits", d.stats.tag_cache.hits, "lines", "tag cache hits");
        add_count(d.name + ".tag_cache.misses", d.stats.tag_cache.misses, "lines", "tag cache misses");
        add_count(d.name + ".tag_cache.writebacks", d.stats.tag_cache.writebacks, "lines", "dirty tag lines written back");
        add_count(d.name + ".refreshes", d.stats.refreshes, "refreshes", "refresh commands (all-bank and per-bank)");
        const double secs = static_cast<double>(r.sim_ps) * 1e-12;
        add(d.name + ".bandwidth", secs > 0 ? static_cast<double>(d.stats.data.bytes + d.stats.tag.bytes) / secs / 1e9 : 0,
            false, "GB/s", "bytes over simulated time");
    }
    add_count("board.bus.transactions", r.interconnect.transactions, "requests", "routed");
    add_count("board.bus.decode_errors", r.interconnect.decode_errors, "requests", "no target: address error");
    const MmStats &m = r.mm_stats;
    static const char *classes[] = {"unmovable", "movable", "reclaimable", "tagged"};
    for (unsigned c = 0; c < kAllocClasses; ++c) {
        add_count(std::string("mm.allocs.") + classes[c], m.allocs[c], "allocations", "successful allocations");
        add(std::string("mm.alloc_cycles_avg.") + classes[c], m.alloc_cycles[c].mean(), false, "cycles", "kernel work per allocation, mean");
    }
    for (unsigned t = 0; t < kMigrateTypes; ++t)
        add_count(std::string("mm.alloc_failures.") + migrate_type_name(static_cast<MigrateType>(t)), m.alloc_failures[t],
                  "allocations", "failed allocations");
    add_count("mm.starvation", m.starvation, "allocations", "unmovable allocations that failed or needed reclaim/OOM while the pool had the pages");
    add_count("mm.starvation_reclaimed", m.starvation_reclaimed, "pages", "pages reclaimed while the pool had free pages");
    add_count("mm.cma_allocs", m.cma_allocs, "allocations", "served from the tag-storage pool");
    add_count("mm.reserve.refcount_hits", m.reserve_refcount_hits, "tag blocks", "already reserved");
    add_count("mm.reserve.fast", m.reserve_fast, "tag blocks", "taken off the free list");
    add_count("mm.reserve.slow", m.reserve_slow, "tag blocks", "alloc_contig_range succeeded");
    add_count("mm.reserve.failed", m.reserve_failed, "tag blocks", "retries spent: fault on access");
    add_count("mm.reserve.static", m.reserve_static, "tag blocks", "static carve-out");
    add_count("mm.reserve.dropped", m.reserve_dropped, "tag blocks", "cleancache: emptied by dropping clean page-cache pages");
    add_count("mm.reserve.drop_pages", m.reserve_drop_pages, "pages", "cleancache: page-cache pages those reservations dropped");
    add_count("mm.reserve.cycles", m.reserve_cycles, "cycles", "spent reserving tag storage");
    add_count("kernel.tag_storage.maintained_blocks", m.tag_maintained_blocks, "tag blocks", "cache maintenance of a block changing use (reserved or released)");
    add_count("kernel.tag_storage.maintained_lines", m.tag_maintained_lines, "lines", "lines of those blocks invalidated in every cache, one DC op each");
    add_count("kernel.tag_storage.maintenance_cycles", m.tag_maintenance_cycles, "cycles", "charged to the core running the maintenance");
    add_count("mm.pages_migrated", m.pages_migrated, "pages", "moved out of the pool");
    add_count("mm.migrate_blocked_pinned", m.migrate_blocked_pinned, "blocks", "pinned occupants");
    add_count("mm.ipis", m.ipis, "IPIs", "lru_cache_disable IPIs (expedited RCU to busy CPUs, drain works to other CPUs)");
    add_count("kernel.lru_disable.calls", m.lru_disables, "calls", "lru_cache_disable (alloc_contig_range)");
    add_count("kernel.lru_disable.wait_cycles", m.lru_disable_wait_cycles, "cycles", "cycles the callers waited (expedited RCU, flush_work)");
    add_count("kernel.lru_disable.remote_cycles", m.lru_disable_remote_cycles, "cycles", "cycles other CPUs spent on it (IPI handlers, kworker switches and drains)");
    add_count("kernel.lru_disable.drain_works", m.lru_drain_works, "works", "lru_add_drain_per_cpu works run (CPUs whose LRU-add batch held folios)");
    add_count("mm.pool.pages", r.pool_pages, "pages", "reusable tag storage");
    add_count("mm.pool.data_pages", r.pool_data, "pages", "pool pages holding data at the end");
    add_count("mm.pool.tag_pages", r.pool_tags, "pages", "pool pages holding tags at the end");
    add_count("mm.free_pages", r.free_pages, "pages", "free at the end");
    std::uint64_t peak_data = 0, peak_tags = 0;
    for (const auto &s : r.pool_samples) {
        peak_data = std::max(peak_data, s.data_pages);
        peak_tags = std::max(peak_tags, s.tag_pages);
    }
    add_count("mm.pool.peak_data_pages", peak_data, "pages", "most pool pages holding data at once");
    add_count("mm.pool.peak_tag_pages", peak_tags, "pages", "most pool pages holding tags at once");
    add_count("mm.reserve.deferred", m.reserve_deferred, "tag blocks", "migration destinations left without storage (tags to the pfn xarray)");
    add_count("mm.tagged_pages_migrated", m.tagged_pages_migrated, "pages", "migrated pages whose tags moved with them");
    add_count("mm.migrate_blocked_unmovable", m.migrate_blocked_unmovable, "blocks", "unmovable occupants");
    add_count("mm.migrate_no_destination", m.migrate_no_destination, "blocks", "no free page to migrate to");
    add_count("mm.migrate_busy.lru_batch", m.migrate_busy_lru_batch, "blocks", "not isolated: still in a CPU's LRU-add batch (transient)");
    add_count("mm.migrate_busy.writeback", m.migrate_busy_writeback, "blocks", "found under write-back (transient): refused by async migration, waited for by sync");
    add_count("mm.migrate_writeback_waits", m.migrate_writeback_waits, "blocks", "sync migrations that waited for a write-back to complete");
    add_count("mm.migrate_busy.locked", m.migrate_busy_locked, "blocks", "found locked for I/O (PG_locked, transient): refused by async migration, waited for by sync");
    add_count("mm.migrate_lock_waits", m.migrate_lock_waits, "blocks", "sync migrations that waited for a page lock (folio_lock) until its I/O completed");
    add_count("mm.tlb_batch.deferred", m.tlb_batch_deferred, "TLBIs", "migrations' and reclaim's TLBIs issued into a batch (TTU_BATCH_FLUSH: DSB ISHST + TLBI, kernel.tlbi_page_cycles each)");
    add_count("mm.tlb_batch.flushes", m.tlb_batch_flushes, "DSBs", "the batches' completion waits (try_to_unmap_flush: one DSB ISH each)");
    add_count("mm.migrate_blocked_not_lru", m.migrate_blocked_not_lru, "blocks", "not isolated: never on an LRU list (cleancache copies)");
    add_count("mm.migrate_retries.lru_batch", m.migrate_retries_lru_batch, "blocks", "migrations retried after lru_cache_disable drained the batches");
    add_count("mm.contig_retries.pinned", m.contig_retries_pinned, "attempts", "alloc_contig_range retries after an attempt failed on a pinned page");
    add_count("mm.contig_retries.lru_batch", m.contig_retries_lru_batch, "attempts", "... on a page in an LRU-add batch");
    add_count("mm.contig_retries.no_destination", m.contig_retries_no_destination, "attempts", "... for want of a destination page");
    add_count("mm.contig_retries.other", m.contig_retries_other, "attempts", "... on an unmovable or never-LRU occupant, or a block left not free");
    add_count("mm.pcp.hits", m.pcp_hits, "allocations", "served from a per-CPU list");
    add_count("mm.pcp.refills", m.pcp_refills, "batches", "per-CPU lists refilled under zone->lock (rmqueue_bulk)");
    add_count("mm.pcp.frees", m.pcp_frees, "blocks", "frees kept on a per-CPU list");
    add_count("mm.pcp.spills", m.pcp_spills, "batches", "batches returned at pcp->high (free_pcppages_bulk)");
    add_count("mm.pcp.drains", m.pcp_drains, "calls", "drain_all_pages (alloc_contig_range, cleancache drop, failed allocation)");
    add_count("mm.pcp.drained_pages", m.pcp_drained_pages, "pages", "returned to the buddy lists by those drains");
    add_count("mm.compact.stalls", m.compact_stalls, "runs", "direct compactions for a failed high-order allocation, but those compaction_suitable skipped in every zone (COMPACTSTALL)");
    add_count("mm.compact.fail", m.compact_fail, "runs", "... of them, after which the allocation still failed (COMPACTFAIL)");
    add_count("mm.compact.priority.async", m.compact_priority[2], "runs", "direct compactions at COMPACT_PRIO_ASYNC (sources of the request's migratetype only)");
    add_count("mm.compact.priority.sync_light", m.compact_priority[1], "runs", "direct compactions at COMPACT_PRIO_SYNC_LIGHT (every pageblock a source)");
    add_count("mm.compact.priority.sync_full", m.compact_priority[0], "runs", "direct compactions at COMPACT_PRIO_SYNC_FULL (the whole zone, any pageblock a destination)");
    add_count("mm.compact.deferred", m.compact_deferred, "zone attempts", "zones a compaction (direct or kcompactd's) passed over because it failed there recently at that order (compaction_deferred)");
    add_count("mm.compact.skipped", m.compact_skipped, "zone attempts", "zones compaction_suitable refused: too few free pages, or for an order above 3 a fragmentation index at or below mm.extfrag_threshold");
    add_count("mm.compact.success", m.compact_success, "runs", "zone runs that freed a block of the order asked");
    add_count("mm.compact.success_pool", m.compact_success_pool, "runs", "... of them, a block in the tag-storage pool's pageblocks (direct compaction for a movable request that may take the pool)");
    add_count("mm.compact.pages_migrated", m.compact_pages_migrated, "pages", "moved by compaction");
    add_count("mm.compact.into_pool", m.compact_into_pool, "pages", "destinations compaction's free scanner (any run: for an order, proactive, compact_memory) took from the tag-storage pool's pageblocks");
    add_count("mm.compact.blocked_pinned", m.compact_blocked_pinned, "pages", "pinned pages the migrate scanner of a compaction for an order met");
    add_count("mm.compact.migrate_scanned", m.compact_migrate_scanned, "pages", "pages compaction for an order (direct or kcompactd's) looked at with its migrate scanner (compact_migrate_scanned; whole-zone runs are counted in kernel.kcompactd.proactive.*)");
    add_count("mm.compact.free_scanned", m.compact_free_scanned, "pages", "pages its free scanner looked at (compact_free_scanned)");
    add_count("mm.compact.hint_skipped", m.compact_hint_skipped, "pageblocks", "pageblocks its scanners passed over for their skip bit (PB_migrate_skip)");
    add_kernel(r);
}

void StatsExport::add_kernel(const RunResult &r) {
    const KernelStats &k = r.kernel;
    add_count("kernel.processes", k.processes, "processes", "created");
    add_count("kernel.faults.anon", k.faults_anon, "faults", "demand faults that allocated and zeroed a page");
    add_count("kernel.faults.file", k.faults_file, "faults", "demand faults mapping a page-cache page");
    add_count("kernel.faults.around", k.faults_around, "pages", "pages a read fault of a file mapping mapped around the faulting one (fault-around: do_fault_around, filemap_map_pages), with old PTEs, no fault each");
    add_count("kernel.faults.shmem", k.faults_shmem, "faults", "demand faults that allocated a shared-memory (MAP_SHARED anonymous, memfd) page");
    add_count("kernel.faults.swapin", k.faults_swapin, "faults", "faults that read a page back from swap");
    add_count("kernel.faults.mte_lazy", k.faults_mte_lazy, "faults", "'metadata none' faults: tag storage reserved, tags restored");
    add_count("kernel.faults.spurious", k.faults_spurious, "faults", "the entry was already valid");
    add_count("kernel.fault_retries", k.fault_retries, "faults", "faults that dropped mmap_lock to wait for a page's read, then started over (VM_FAULT_RETRY)");
    add_count("kernel.page_lock_waits", k.page_lock_waits, "waits", "sleeps in folio_lock for a page locked for I/O (faults, read(2), write(2), swap-in, the flusher)");
    add_count("kernel.segv_maperr", k.segv_maperr, "faults", "accesses outside every VMA (SIGSEGV)");
    add_count("kernel.segv_accerr", k.segv_accerr, "faults", "writes to a VMA without PROT_WRITE (SIGSEGV, SEGV_ACCERR)");
    add_count("kernel.mmaps", k.mmaps, "calls", "mmap");
    add_count("kernel.munmaps", k.munmaps, "calls", "munmap");
    add_count("kernel.mprotects", k.mprotects, "calls", "mprotect");
    add_count("kernel.madv_dontneed", k.madv_dontneed, "calls", "madvise(MADV_DONTNEED)");
    add_count("kernel.mprotect_mte_pages", k.mprotect_mte_pages, "pages", "populated pages made 'metadata none' by mprotect(PROT_MTE)");
    add_count("kernel.page_tables.allocated", k.page_tables_allocated, "pages", "user page-table pages allocated");
    add_count("kernel.page_tables.freed", k.page_tables_freed, "pages", "user page-table pages freed");
    add_count("kernel.tlb_shootdowns", k.tlb_shootdowns, "TLBIs", "broadcast invalidations of user translations");
    add_count("kernel.tlb_range_flushes", k.tlb_range_flushes, "flushes", "range flushes of munmap, mprotect and MADV_DONTNEED (__flush_tlb_range: one DSB ISH each)");
    add_count("kernel.tlb_range_asid", k.tlb_range_asid, "flushes", "of those, ranges of MAX_TLBI_OPS pages or more without FEAT_TLBIRANGE: the ASID flushed instead (flush_tlb_mm)");
    add_count("kernel.file.reads", k.file_reads, "pages", "page-cache misses read from the storage device");
    add_count("kernel.file.hits", k.file_hits, "pages", "page-cache hits");
    add_count("kernel.file.readahead_sync", k.file_ra_sync, "windows", "readahead windows a page-cache miss started (page_cache_sync_ra for read(2), read-around for a fault) that added pages");
    add_count("kernel.file.readahead_async", k.file_ra_async, "windows", "readahead windows a reader's lookup of a marked page started (PG_readahead: page_cache_async_ra) that added pages");
    add_count("kernel.file.readahead_pages", k.file_ra_pages, "pages", "pages readahead windows added to the page cache, the page a miss asked for among them");
    add_count("kernel.file.readahead_unused", k.file_ra_unused, "pages", "pages read ahead that left the page cache (reclaimed, or dropped to cleancache) before any read, fault or write looked them up");
    add_count("kernel.file.queued_us", k.storage_queued_us, "us", "time the storage device's requests (reads and write-backs) waited, after their own latency, for the requests submitted before them to move their data (the device's one data path), summed over the requests");
    add_count("kernel.file.tag_waits", k.storage_tag_waits, "requests", "storage requests that found their CPU's hardware queue holding storage.queue_depth requests (blk_mq_get_tag): a writer or a readahead's submitter slept until a tag was freed, another read started then");
    add_count("kernel.file.tag_wait_us", k.storage_tag_wait_us, "us", "the time those requests waited for a tag, summed");
    add_count("kernel.file.overwrites", k.file_overwrites, "pages", "page-cache misses of a write(2) covering the whole page: a new page, not read");
    add_count("kernel.file.writebacks", k.file_writebacks, "pages", "dirty file pages kswapd wrote itself (pageout, once PGDAT_DIRTY was set and the page was already PG_reclaim)");
    add_count("kernel.file.direct_writebacks", k.file_direct_writebacks, "pages", "dirty file pages direct reclaim wrote itself, standing in for the flusher it woke, which cannot run before the allocation is decided (kernel operations are atomic on their core: a departure)");
    add_count("kernel.file.dirty_activated", k.file_dirty_activated, "pages", "dirty file pages reclaim or MADV_PAGEOUT found and sent back to the active list, PG_reclaim, for the flusher to write (NR_VMSCAN_IMMEDIATE)");
    add_count("kernel.file.dirty_kept", k.file_dirty_kept, "pages", "dirty file pages kswapd could write (PG_reclaim, PGDAT_DIRTY) kept on the inactive list unwritten, their references allowing only a clean reclaim (FOLIOREF_RECLAIM_CLEAN: shrink_folio_list's keep_locked)");
    add_count("kernel.dirty.pauses", k.dirty_pauses, "pauses", "writers paused by balance_dirty_pages: past the freerun ceiling, halfway between the background and the dirty threshold, each for the time its pages should have taken at its task_ratelimit (io_schedule_timeout, whole jiffies)");
    add_count("kernel.dirty.paused_ms", k.dirty_paused_jiffies * 1000 / 250, "ms", "the writers' balance_dirty_pages pauses in all (jiffies of 4 ms, CONFIG_HZ 250)");
    add_count("kernel.dirty.write_bandwidth", k.dirty_write_bandwidth, "pages/s", "at the end: the file storage device's write bandwidth as balance_dirty_pages estimates it (avg_write_bandwidth; INIT_BW, 25,600 pages/s = 100 MB/s, until its second update)");
    add_count("kernel.dirty.ratelimit", k.dirty_ratelimit, "pages/s", "at the end: the device's base dirty throttle rate (dirty_ratelimit), which task_ratelimit scales by the dirty pages' position");
    add_count("kernel.file.dirty", k.file_dirty, "pages", "dirty file pages at the end of the run (NR_FILE_DIRTY)");
    add_count("kernel.flusher.wakeups_vmscan", k.flusher_wakeups_vmscan, "works", "write-back of all dirty pages queued by reclaim when a batch found only unqueued dirty file pages (wakeup_flusher_threads)");
    add_count("kernel.flusher.wakeups_background", k.flusher_wakeups_background, "wakeups", "flusher woken by a writer past the background threshold (balance_dirty_pages -> wb_start_background_writeback)");
    add_count("kernel.flusher.timer_wakeups", k.flusher_timer_wakeups, "wakeups", "runs of the flusher's delayed work, every vm.dirty_writeback_centisecs while file pages are dirty (the periodic write-back)");
    add_count("kernel.flusher.periodic_writebacks", k.flusher_periodic_writebacks, "pages", "of kernel.flusher.writebacks, pages of files dirty for vm.dirty_expire_centisecs or longer (wb_check_old_data_flush)");
    add_count("kernel.flusher.passes", k.flusher_passes, "batches", "batches the flusher wrote (up to PAGEVEC_SIZE, 15 pages, each)");
    add_count("kernel.flusher.writebacks", k.flusher_writebacks, "pages", "dirty file pages whose write the flusher started");
    add_count("kernel.flusher.skipped", k.flusher_skipped, "pages", "dirty file pages the flusher passed over (still under write-back from an earlier write)");
    add_count("kernel.flusher.cycles", k.flusher_cycles, "cycles", "the flusher's run time, on the cores the scheduler gave it");
    add_count("kernel.file.writeback_throttles", k.writeback_throttles, "waits", "direct reclaim waits for a write-back (of a file page or to swap) to complete");
    add_count("kernel.writeback_rotations", k.writeback_rotations, "pages", "moved to the tail of their inactive list as the write reclaim started completed (folio_rotate_reclaimable)");
    add_count("kernel.file.dropped", k.file_pages_dropped, "pages", "page-cache pages reclaimed");
    add_count("kernel.swap.outs", k.swap_outs, "pages", "written to swap");
    add_count("kernel.swap.ins", k.swap_ins, "pages", "read back from swap");
    add_count("kernel.swap.full", k.swap_full, "pages", "anonymous pages not swapped: no free slot");
    add_count("kernel.swap.queued_us", k.swap_queued_us, "us", "the same for the swap device's reads and writes (0 for a synchronous device, zram, which has no data path of its own)");
    add_count("kernel.swap.tag_waits", k.swap_tag_waits, "requests", "the same for the swap device (swap.queue_depth; none for a synchronous device, zram)");
    add_count("kernel.swap.tag_wait_us", k.swap_tag_wait_us, "us", "the time those requests waited for a tag, summed");
    add_count("kernel.swap.writebacks", k.swap_writebacks, "pages", "swap-outs kept in the swap cache while their write ran (an asynchronous device)");
    add_count("kernel.swap.cache_reclaimed", k.swap_cache_reclaimed, "pages", "swap-cache pages freed by a later reclaim pass once written");
    add_count("kernel.swap.cache_kept", k.swap_cache_kept, "faults", "swap-ins that kept the page in the swap cache with its slot (a read fault with swap at most half full, mapped read-only; or a fault while its write ran)");
    add_count("kernel.swap.cache_reused", k.swap_cache_reused, "faults", "stores that made an exclusive kept page writable in place, its slot kept (do_wp_page on PageAnonExclusive)");
    add_count("kernel.swap.rewrites", k.swap_rewrites, "pages", "kept pages dirtied in place and reclaimed again: written to their own slot once more (also in kernel.swap.outs)");
    add_count("kernel.swap.writeback_copies", k.swap_writeback_copies, "faults", "stores to a non-exclusive page in the swap cache while its write ran: copied (also in kernel.cow.copies)");
    add_count("kernel.swap.cache_freed_full", k.swap_cache_freed_full, "pages", "kept pages whose slot reclaim gave back as it reactivated them, swap more than half full (activate_locked's folio_free_swap)");
    add_count("kernel.swap.clean_unmaps", k.swap_clean_unmaps, "pages", "kept pages reclaimed again while clean: unmapped to their slot, no second write");
    add_count("kernel.swap.cache_hits", k.swap_cache_hits, "faults", "swap-in faults that found the page in the swap cache: no device read");
    add_count("kernel.swap.readahead", k.swap_readahead, "pages", "read into the swap cache around a swap-in fault (swap_vma_readahead, SWAP_RA)");
    add_count("kernel.swap.readahead_hits", k.swap_readahead_hits, "pages", "of those, found by a later fault (SWAP_RA_HIT)");
    add_count("kernel.swap.cache_zapped", k.swap_cache_zapped, "pages", "swap-cache pages freed with the last swap PTE naming their slot (munmap, exit)");
    add_count("kernel.swap.slots", r.swap_slots, "pages", "swap device capacity");
    add_count("kernel.swap.peak_used", r.swap_peak, "pages", "most swap slots in use at once");
    add_count("kernel.tags.saved_swap", k.tags_saved_swap, "pages", "tagged pages whose tags went to the swap-entry xarray");
    add_count("kernel.tags.restored_swap", k.tags_restored_swap, "pages", "restored from it at swap-in");
    add_count("kernel.tags.saved_pfn", k.tags_saved_pfn, "pages", "tags parked in the pfn xarray (no storage at that moment)");
    add_count("kernel.tags.restored_pfn", k.tags_restored_pfn, "pages", "restored from it once storage was reserved");
    add_count("kernel.tags.cleared", k.tags_cleared, "pages", "new tagged pages whose tags the kernel zeroed");
    add_count("kernel.xarray.swap.peak_entries", r.swap_xarray_peak, "entries", "most pages' tags held in the swap-entry xarray");
    add_count("kernel.xarray.swap.peak_bytes", r.swap_xarray_peak_bytes, "bytes", "its kernel memory at that peak (128 B per entry + xa_nodes)");
    add_count("kernel.xarray.pfn.peak_entries", r.pfn_xarray_peak, "entries", "most pages' tags held in the pfn xarray");
    add_count("kernel.xarray.pfn.peak_bytes", r.pfn_xarray_peak_bytes, "bytes", "its kernel memory at that peak");
    add_count("kernel.xarray.swap.entries", r.swap_xarray_entries, "entries", "at the end");
    add_count("kernel.xarray.pfn.entries", r.pfn_xarray_entries, "entries", "at the end");
    add_count("kernel.user_pages_migrated", k.user_pages_migrated, "pages", "mapped pages moved (PTE repointed)");
    add_count("kernel.cleancache.puts", k.cleancache_puts, "pages", "evicted clean page-cache pages copied into the pool");
    add_count("kernel.cleancache.gets", k.cleancache_gets, "pages", "page-cache misses served by a copy back from the pool");
    add_count("kernel.cleancache.drops", k.cleancache_drops, "pages", "pool copies dropped for tag reservations");
    add_count("kernel.cleancache.evictions", k.cleancache_evictions, "pages", "pool copies dropped to make room for a put");
    add_count("kernel.cleancache.refaults", k.cleancache_refaults, "pages", "misses of pages whose pool copy was dropped or evicted (read again)");
    add_count("kernel.cleancache.invalidates", k.cleancache_invalidates, "pages", "pool copies dropped as stale: a write(2) overwrote their page whole (cleancache_invalidate_page)");
    add_count("kernel.kswapd.wakeups", k.kswapd_wakeups, "wakeups", "kswapd woken from sleep (free pages below the low watermark, or a high-order failure)");
    add_count("kernel.kswapd.passes", k.kswapd_passes, "passes", "kswapd's reclaim batches (SWAP_CLUSTER_MAX pages asked each, at most as many looked at)");
    add_count("kernel.kswapd.batches_without_progress", k.kswapd_batches_without_progress, "passes",
              "kswapd batches that freed nothing, stopped at their look limit, and went on (not a failed balance)");
    add_count("kernel.kswapd.reclaimed", k.kswapd_reclaimed, "pages", "freed by kswapd");
    add_count("kernel.kswapd.failures", k.kswapd_failures, "passes", "kswapd balances that reclaimed nothing (kswapd_failures raised; reset by any reclaim that frees a page)");
    add_count("kernel.kswapd.hopeless", k.kswapd_hopeless, "times", "kswapd_failures reached MAX_RECLAIM_RETRIES (16 failed balances in a row): kswapd slept, the node hopeless");
    add_count("kernel.kswapd.hopeless_wakeups", k.kswapd_hopeless_wakeups, "wakeups", "wake-ups refused because the node was hopeless (left to direct reclaim; an atomic high-order request wakes kcompactd)");
    add_count("kernel.kswapd.low_wmark_hit_quickly", k.kswapd_low_wmark_hit_quickly, "wakeups", "kswapd woken during the HZ/10 short sleep it takes before sleeping fully (KSWAPD_LOW_WMARK_HIT_QUICKLY)");
    add_count("kernel.kswapd.high_wmark_hit_quickly", k.kswapd_high_wmark_hit_quickly, "times", "times kswapd found the node unbalanced where it would sleep (a short sleep's end below the high watermark, or a balance that reclaimed nothing) and reclaimed again unwoken (KSWAPD_HIGH_WMARK_HIT_QUICKLY)");
    add_count("kernel.kswapd.immediate", k.kswapd_immediate, "pages", "pages kswapd found still under write-back that it had marked PG_reclaim, with PGDAT_WRITEBACK set (shrink_folio_list's nr_immediate: pages cycling through the inactive list faster than they are written)");
    add_count("kernel.kswapd.writeback_throttles", k.kswapd_writeback_throttles, "sleeps", "kswapd's sleeps after a pass that found nr_immediate pages (reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): until 33 writes complete, or HZ/10)");
    add_count("kernel.kswapd.throttled_us", k.kswapd_throttled_us, "us", "the length of those sleeps, summed");
    add_count("kernel.kswapd.cycles", k.kswapd_cycles, "cycles", "kswapd's run time, on the cores the scheduler gave it (not the allocating thread's)");
    add_count("kernel.kcompactd.wakeups", k.kcompactd_wakeups, "wakeups", "kcompactd woken (by kswapd after a high-order wake-up)");
    add_count("kernel.kcompactd.runs", k.kcompactd_runs, "runs", "compaction runs kcompactd made");
    add_count("kernel.kcompactd.skipped", k.kcompactd_skipped, "wakeups", "kcompactd wake-ups that found a free block of the order already");
    add_count("kernel.kcompactd.success", k.kcompactd_success, "runs", "kcompactd runs that left a free block of the order");
    add_count("kernel.kcompactd.pages_migrated", k.kcompactd_pages_migrated, "pages", "pages kcompactd migrated");
    add_count("kernel.kcompactd.cycles", k.kcompactd_cycles, "cycles", "kcompactd's run time, on the cores the scheduler gave it");
    add_count("kernel.kcompactd.proactive.checks", k.kcompactd_proactive_checks, "checks", "timer expiries (every 500 ms, 32 s after a run without progress) that checked the node's fragmentation score");
    add_count("kernel.kcompactd.proactive.runs", k.kcompactd_proactive_runs, "runs", "checks that found the score above the high mark (vm.compaction_proactiveness) and compacted");
    add_count("kernel.kcompactd.proactive.deferred", k.kcompactd_proactive_deferred, "runs", "proactive runs that did not lower the node's score");
    add_count("kernel.kcompactd.proactive.pages_migrated", k.kcompactd_proactive_pages_migrated, "pages", "pages proactive compaction migrated");
    add_count("kernel.kcompactd.proactive.migrate_scanned", k.kcompactd_proactive_migrate_scanned, "pages", "pages its migrate scanner looked at");
    add_count("kernel.kcompactd.proactive.free_scanned", k.kcompactd_proactive_free_scanned, "pages", "pages its free scanner looked at");
    add_count("kernel.kcompactd.proactive.score_low", k.kcompactd_proactive_score_low, "zone runs", "zone runs that brought the zone's score to the low mark");
    add_count("kernel.kcompactd.proactive.kswapd_stops", k.kcompactd_proactive_kswapd_stops, "zone runs", "zone runs ended because kswapd ran");
    add_count("kernel.kcompactd.proactive.triggers", k.kcompactd_proactive_triggers, "writes", "sysctl writes of vm.compaction_proactiveness above 0, each an immediate check");
    add_count("kernel.compact_memory.calls", k.compact_memory_calls, "writes", "sysctl writes to vm.compact_memory (a full compaction of every zone on the writing CPU)");
    add_count("kernel.compact_memory.pages_migrated", k.compact_memory_pages, "pages", "pages they migrated");
    add_count("kernel.compact_memory.time_ps", k.compact_memory_ps, "ps", "simulated time they took, on the writing threads' cores");
    add_count("kernel.kthread_wake_ipis", k.kthread_wake_ipis, "IPIs", "reschedule IPIs that woke an idle CPU for kswapd or kcompactd");
    add_count("kernel.direct_reclaim.runs", k.direct_reclaims, "runs", "direct reclaims allocations made themselves (one a slow-path round)");
    add_count("kernel.direct_reclaim.pages", k.direct_reclaimed, "pages", "freed by direct reclaim");
    add_count("kernel.kalloc.round_limit", k.kalloc_round_limit, "allocations", "kernel allocations whose slow path was cut at the model's 65,536 reclaim/compaction rounds (a safety net: Linux loops while reclaim progresses)");
    add_count("kernel.lru.activations", k.lru_activations, "pages", "inactive pages reclaim activated (FOLIOREF_ACTIVATE)");
    add_count("kernel.lru.kept", k.lru_kept, "pages", "inactive pages reclaim kept inactive, PG_referenced set (FOLIOREF_KEEP)");
    add_count("kernel.lru.accessed_activations", k.lru_accessed_activations, "pages",
              "page-cache pages a second folio_mark_accessed activated");
    add_count("kernel.lru.pinned_skipped", k.pinned_skipped, "pages", "looks of reclaim or MADV_PAGEOUT at pinned pages they could not free (kept inactive, or activated), counted at each look");
    add_count("kernel.lru.writeback_activations", k.lru_writeback_activations, "pages",
              "inactive pages reclaim or MADV_PAGEOUT found under write-back and activated (shrink_folio_list cases 1 and 2: activate_locked)");
    add_count("kernel.oom.kills", k.oom_kills, "processes", "killed by the OOM killer");
    add_count("kernel.fork.calls", k.forks, "processes", "created by fork");
    add_count("kernel.uaccess.calls", k.uaccess_calls, "calls", "read/write through a user buffer");
    add_count("kernel.uaccess.bytes", k.uaccess_bytes, "bytes", "copied by them");
    add_count("kernel.uaccess.short", k.uaccess_short, "calls", "copied less than asked (short count or -EFAULT)");
    add_count("kernel.uaccess.efault", k.uaccess_efault, "calls", "returned -EFAULT");
    add_count("kernel.uaccess.tag_faults", k.uaccess_tag_faults, "calls", "stopped by a tag mismatch (SYNC mode, no signal)");
    add_count("kernel.uaccess.tag_waits", k.uaccess_tag_waits, "waits",
              "times a call stopped at a user page whose tag storage could not be reserved, and went on after other cores ran");
    add_count("kernel.uaccess.gave_up", k.uaccess_gave_up, "calls",
              "calls the model's bounds ended short (a user page still unusable after four faults, or after 2^20 waits for its tag storage; 16 write rounds without progress)");
    add_count("kernel.fork.pages_shared", k.fork_pages_shared, "pages", "anonymous PTEs a fork shared copy-on-write");
    add_count("kernel.fork.swap_shared", k.fork_swap_shared, "entries", "swap PTEs a fork copied (swap_duplicate)");
    add_count("kernel.cow.faults", k.cow_faults, "faults", "stores to a read-only COW page (do_wp_page)");
    add_count("kernel.cow.copies", k.cow_copies, "pages", "copied into a new page (wp_page_copy)");
    add_count("kernel.cow.tagged_copies", k.cow_tagged_copies, "pages", "of those, tagged: data and tags copied, tag storage reserved");
    add_count("kernel.cow.reuses", k.cow_reuses, "faults", "the last sharer's page made writable again (wp_page_reuse)");
    add_count("kernel.oom.tag_storage", k.oom_tag_storage, "events", "OOM kills at a fault: a pool page found no data page to move to");
    add_count("kernel.oom.kalloc", k.oom_kalloc, "processes", "OOM kills made by a kernel allocation's slow path");
    add_count("kernel.oom.no_victim", k.oom_no_victim, "allocations", "kernel allocations the OOM killer found no process for (Linux panics; the model fails them)");
    add_count("kernel.oom.waits", k.oom_waits, "sleeps", "kernel allocations that slept a jiffy for an OOM victim's exit");
    add_count("kernel.oom.reaped", k.oom_reaped, "processes", "OOM victims a fault's allocation tore down itself instead of waiting for their exit");
    add_count("kernel.tag_fault_retries", k.tag_fault_retries, "faults", "tag reservation failed at a fault: PTE left metadata-none, the access retries");
    add_count("kernel.pins", k.pins, "pages", "user pages pinned");
    add_count("kernel.user_pages", r.user_pages, "pages", "anonymous and page-cache pages at the end");
    add_count("kernel.page_cache_pages", r.page_cache_pages, "pages", "page-cache pages at the end");
    if (r.tag_check_mode) {
        add_count("kernel.shadow.checks", r.shadow_checks, "pages", "page comparisons by the shadow tag checker (vm.check_tags)");
        add_count("kernel.shadow.lost", r.shadow_lost, "pages", "pages whose tags the kernel model lost");
        add_count("kernel.shadow.misplaced", r.shadow_misplaced, "pages", "pages whose tags differ from what the program set");
    }
}

/* stats.json, through nlohmann/json: keys in a fixed order (ordered_json) so that two runs
 * differ only where a figure does. A real-valued stat keeps the 6 significant digits stats.txt
 * shows (rounded through "%.6g"), so the two files agree and runs compare exactly. */
std::string StatsExport::json(double host_seconds) const {
    using nlohmann::ordered_json;
    const auto value = [](double v, bool integer) -> ordered_json {
        if (integer) return static_cast<std::uint64_t>(v);
        return std::strtod(number(v, false).c_str(), nullptr);
    };
    ordered_json stats = ordered_json::array();
    for (const Stat &s : m_stats)
        stats.push_back({{"name", s.name}, {"value", value(s.value, s.integer)}, {"unit", s.unit}, {"description", s.description}});
    std::uint64_t accesses = 0;
    for (const auto &c : m_result.cores) accesses += c.loads + c.stores;
    const double secs = std::max(host_seconds, 1e-9);
    ordered_json drams = ordered_json::array();
    for (const DramRunStats &d : m_result.drams)
        drams.push_back({{"name", d.name},
                         {"lookaheads_adopted", d.stats.host_lookaheads_adopted},
                         {"lookaheads_dropped", d.stats.host_lookaheads_dropped},
                         {"late_entries", d.stats.host_late_entries},
                         {"late_commands", d.stats.host_late_commands},
                         {"scheduler_steps", d.stats.host_steps},
                         {"commands_issued", d.stats.host_commands}});
    const ordered_json doc = {
        {"mtesim", 1},
        {"board", m_board},
        {"workload", m_workload},
        {"partial", m_result.stopped_early.empty() ? ordered_json(false) : ordered_json(m_result.stopped_early)},
        {"stats", std::move(stats)},
        {"host",
         {{"seconds", value(host_seconds, false)},
          {"events_per_second", value(static_cast<double>(m_result.events) / secs, false)},
          {"accesses_per_second", value(static_cast<double>(accesses) / secs, false)},
          {"dram", std::move(drams)}}}};
    return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string StatsExport::text(double host_seconds) const {
    std::size_t width = 0;
    for (const auto &s : m_stats) width = std::max(width, s.name.size());
    std::ostringstream o;
    o << "# mtesim stats: board " << m_board << ", workload " << m_workload << "\n";
    if (!m_result.stopped_early.empty()) o << "# PARTIAL: stopped early: " << m_result.stopped_early << "\n";
    for (const auto &s : m_stats)
        o << s.name << std::string(width + 2 - s.name.size(), ' ') << number(s.value, s.integer) << " " << s.unit << "  # "
          << s.description << "\n";
    o << "# host seconds " << number(host_seconds, false) << "\n";
    return o.str();
}

std::string StatsExport::faults_csv() const {
    std::ostringstream o;
    o << "time_ps,core,thread,kind,mode,access,address,trace_position,si_addr,trace_line,event_index\n";
    for (const auto &f : m_result.faults)
        o << f.time_ps << "," << f.core << "," << f.thread << "," << fault_kind_name(f.kind) << "," << tcf_mode_name(f.mode)
          << "," << fault_access_name(f) << "," << (f.has_address ? hex(f.address) : "") << "," << f.position << ","
          << hex(f.signal_addr) << "," << (f.line ? std::to_string(f.line) : std::string()) << "," << f.index << "\n";
    return o.str();
}

std::string StatsExport::config_ini(const ConfigStore &store) {
    std::map<std::string, std::vector<std::pair<ConfigStore::Declaration, std::string>>> sections;
    for (const auto &e : store.effective()) {
        const auto dot = e.first.key.find('.');
        sections[e.first.key.substr(0, dot)].push_back(e);
    }
    std::ostringstream o;
    o << "# The effective configuration of this run; replay it with --config.\n";
    for (const auto &[section, entries] : sections) {
        o << "\n[" << section << "]\n";
        if (section == "dram") o << "# DRAM timing comes from each controller's preset (the board's mtesim,timing,\n"
                                    "# configs/dram/); only the keys this run overrode are set here.\n";
        for (const auto &[decl, value] : entries) {
            const auto e = store.find(decl.key);
            const bool user_set = e && e->layer >= ConfigStore::Layer::user_file;
            if (!user_set && CorePreset::sets_key(decl.key)) {
                // Each cpu's core preset decides this key (src/cpu/core_preset.cpp): writing the
                // built-in default here would override the presets on replay.
                o << "# " << decl.key.substr(section.size() + 1) << " = (the cpu's core preset, else " << value << ")    # "
                  << decl.unit << ": " << decl.description << "\n";
                continue;
            }
            if (section == "dram" && !user_set) {
                o << "# " << decl.key.substr(section.size() + 1) << "    # " << decl.unit << ": " << decl.description << "\n";
                continue;
            }
            o << decl.key.substr(section.size() + 1) << " = " << value << "    # " << decl.unit << ": " << decl.description << "\n";
        }
    }
    return o.str();
}

void StatsExport::write(const std::string &dir, const ConfigStore &store, double host_seconds) const {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw ConfigError(dir + ": cannot create the output directory (" + (ec ? ec.message() : "not a directory") + ")");
    const std::filesystem::path d(dir);
    write_atomically(d / "stats.json", json(host_seconds));
    write_atomically(d / "stats.txt", text(host_seconds));
    write_atomically(d / "faults.csv", faults_csv());
    write_atomically(d / "config.ini", config_ini(store));
}

}  // namespace mtesim
