// RunReport: formatting only.
#include "app/run_report.h"

#include <algorithm>
#include <cstdio>

namespace mtesim {

namespace {

double pct(std::uint64_t a, std::uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; }

}  // namespace

void RunReport::print(std::ostream &out, const RunResult &r, double host_seconds, std::size_t max_faults) {
    CoreStats total;
    for (const auto &c : r.cores) {
        total.events += c.events;
        total.loads += c.loads;
        total.stores += c.stores;
        total.l1_hits += c.l1_hits;
        total.l1_misses += c.l1_misses;
        total.llc_hits += c.llc_hits;
        total.llc_misses += c.llc_misses;
        total.tag_checks += c.tag_checks;
        total.faults_sync += c.faults_sync;
        total.faults_async += c.faults_async;
        total.faults_maperr += c.faults_maperr;
        total.faults_heap += c.faults_heap;
        total.mallocs += c.mallocs;
        total.heap_frees += c.heap_frees;
        total.heap_tag_granules += c.heap_tag_granules;
        total.faults_other += c.faults_other;
        total.threads_killed += c.threads_killed;
        total.kernel_entries += c.kernel_entries;
        for (std::size_t i = 0; i < total.tag_ops.size(); ++i) total.tag_ops[i] += c.tag_ops[i];
        for (std::size_t k = 0; k < total.locks.size(); ++k) {
            total.locks[k].acquisitions += c.locks[k].acquisitions;
            total.locks[k].contended += c.locks[k].contended;
            total.locks[k].wait_cycles += c.locks[k].wait_cycles;
        }
    }
    const double sim_s = static_cast<double>(r.sim_ps) * 1e-12;
    if (!r.stopped_early.empty()) out << "PARTIAL   stopped early: " << r.stopped_early << "\n";
    out << "simulated " << fixed(sim_s * 1e6, 3) << " us\n";
    const BootStats &b = r.boot.linear_map;
    out << "boot      " << fixed(static_cast<double>(r.boot_ps) / 1e6, 3) << " us (linear map "
        << fixed(static_cast<double>(r.linear_map_ps) / 1e6, 3) << " us, " << (r.boot_config.block_mappings ? "blocks" : "pages")
        << ", " << (r.boot_config.map_once ? "map-once" : "remap-twice") << "): tables L1 " << b.tables[1] << ", L2 "
        << b.tables[2] << ", L3 " << b.tables[3] << " (" << b.late_tables << " late), " << b.tlbis << " TLBIs\n";
    for (std::size_t i = 0; i < r.cores.size(); ++i) {
        const auto &c = r.cores[i];
        out << "  " << r.core_names[i] << ": " << c.cycles << " cycles at " << fixed(static_cast<double>(r.core_clock_hz[i]) / 1e9, 2)
            << " GHz, " << c.events << " events, " << (c.loads + c.stores) << " accesses\n";
    }
    const std::uint64_t accesses = total.loads + total.stores;
    out << "threads   " << r.threads << " created, " << total.threads_killed << " killed by faults\n"
        << "memory    " << total.loads << " loads, " << total.stores << " stores; L1D hit "
        << fixed(pct(total.l1_hits, total.l1_hits + total.l1_misses), 1) << "%, LLC hit "
        << fixed(pct(total.llc_hits, total.llc_hits + total.llc_misses), 1) << "%\n"
        << "mte       " << total.tag_checks << " checked accesses; tag ops: irg " << total.tag_ops[0] << ", addg/subg "
        << total.tag_ops[1] + total.tag_ops[2] << ", ldg " << total.tag_ops[3] << ", stg/st2g "
        << total.tag_ops[4] + total.tag_ops[5] << ", stzg/stz2g " << total.tag_ops[6] + total.tag_ops[7] << ", dc gzva "
        << total.tag_ops[8] << "\n"
        << "faults    tag sync " << total.faults_sync << ", tag async " << total.faults_async << ", maperr "
        << total.faults_maperr << ", heap (double/invalid free) " << total.faults_heap << ", other " << total.faults_other
        << "\n";
    // The heap model tags and retags its chunks itself (one ST2G/STG pass per chunk, not trace
    // events), so its tagging work is not in the tag-op counts above: it is given here.
    if (total.mallocs || total.heap_frees)
        out << "heap      " << total.mallocs << " allocations, " << total.heap_frees << " frees; "
            << total.heap_tag_granules << " granules tagged or retagged by the heap\n";
    // Kernel locks, summed over the cores: taken, found held, and the cycles waited.
    std::uint64_t lock_takes = 0;
    for (const auto &l : total.locks) lock_takes += l.acquisitions;
    if (lock_takes) {
        out << "locks    ";
        for (unsigned k = 0; k < kKernelLockClasses; ++k) {
            const CoreStats::LockStats &l = total.locks[k];
            out << (k ? ";" : "") << " " << kernel_lock_class_name(static_cast<KernelLockClass>(k)) << " " << l.acquisitions;
            if (l.contended) out << " (" << l.contended << " waited, " << l.wait_cycles << " cycles)";
        }
        out << "\n";
    }
    for (std::size_t i = 0; i < r.faults.size() && i < max_faults; ++i) {
        const FaultRecord &fr = r.faults[i];
        out << "          " << fixed(static_cast<double>(fr.time_ps) / 1e6, 3) << " us  core " << fr.core << "  thread "
            << fr.thread << "  " << fault_kind_name(fr.kind) << " (" << tcf_mode_name(fr.mode) << ", "
            << fault_access_name(fr) << ")"
            << (fr.has_address ? "  addr " + hex(fr.address) + " si_addr " + hex(fr.signal_addr) : std::string("  no address"))
            << "  at " << (fr.line ? "line " + std::to_string(fr.line) + ", " : std::string()) << "event " << fr.index << "\n";
    }
    if (r.faults.size() > max_faults) out << "          ... " << r.faults.size() - max_faults << " more\n";
    for (const auto &d : r.drams) {
        const auto &s = d.stats;
        const double tck_ns = d.config.tck_ps / 1000.0;
        const std::uint64_t bytes = s.data.bytes + s.tag.bytes;
        out << "dram      " << d.name << " (" << d.config.preset << "): " << s.data.reads << " reads, " << s.data.writes
            << " writes, row hits " << fixed(pct(s.data.row_hits, s.data.requests()), 1) << "%, latency avg "
            << fixed(s.data.latency.mean() * tck_ns, 1) << " ns p99 "
            << fixed(static_cast<double>(s.data.latency.percentile(0.99)) * tck_ns, 1) << " ns, "
            << fixed(sim_s > 0 ? static_cast<double>(bytes) / sim_s / 1e9 : 0.0, 2) << " GB/s\n"
            << "          tag region: " << s.tag.reads << " reads, " << s.tag.writes << " writes; tag cache hit "
            << fixed(pct(s.tag_cache.hits, s.tag_cache.hits + s.tag_cache.misses), 1) << "%, " << s.tag_cache.writebacks
            << " writebacks; " << s.refreshes << " refreshes\n";
    }
    const MmStats &m = r.mm_stats;
    std::uint64_t kallocs = 0, kfail = 0, bad = 0, kcycles = 0;
    for (const auto &c : r.cores) {
        kallocs += c.kallocs;
        kfail += c.kalloc_failures;
        bad += c.bad_kernel_frees;
        kcycles += c.kernel_cycles;
    }
    std::uint64_t peak_data = 0, peak_tags = 0;
    for (const auto &s : r.pool_samples) {
        peak_data = std::max(peak_data, s.data_pages);
        peak_tags = std::max(peak_tags, s.tag_pages);
    }
    out << "mm        " << MmConfig::name(r.mm.cma_policy) << ", " << MmConfig::name(r.mm.tag_reserve) << "; "
        << kallocs << " kallocs (" << kfail << " failed, " << m.starvation << " unmovable starved), " << m.frees
        << " frees, " << bad << " bad frees\n"
        << "          tag reservations: " << m.reserve_refcount_hits << " refcount hits, " << m.reserve_fast << " fast, "
        << m.reserve_slow << " slow, " << m.reserve_dropped << " by cleancache drops, " << m.reserve_failed << " failed; " << m.pages_migrated << " pages migrated, "
        << m.ipis << " IPIs, " << m.migrate_blocked_pinned << " blocked by pins; " << kcycles << " kernel cycles\n"
        << "          pool " << r.pool_pages << " pages: at the end " << r.pool_data << " data, " << r.pool_tags << " tags, "
        << r.pool_free << " free; peak " << peak_data << " data, " << peak_tags << " tags\n";
    // Fragmentation: free blocks per order, and Linux's unusable free space index for a
    // pageblock-sized request (the share of free memory in blocks too small for it).
    std::uint64_t free_total = 0, free_big = 0;
    out << "          free blocks by order:";
    for (unsigned o = 0; o < r.free_blocks.size(); ++o) {
        out << " " << r.free_blocks[o];
        free_total += r.free_blocks[o] << o;
        if (o >= kPageblockOrder) free_big += r.free_blocks[o] << o;
    }
    out << "; unusable index (order " << kPageblockOrder << ") "
        << fixed(free_total ? static_cast<double>(free_total - free_big) / static_cast<double>(free_total) : 0.0, 3) << "\n";
    const KernelStats &k = r.kernel;
    out << "kernel    " << k.processes << " processes; faults: " << k.faults_anon << " anon, " << k.faults_file << " file, "
        << k.faults_swapin << " swap-in, " << k.faults_mte_lazy << " PROT_MTE lazy, " << k.segv_maperr << " SEGV_MAPERR; "
        << k.page_tables_allocated << " page tables\n"
        << "          reclaim: kswapd " << k.kswapd_wakeups << " wakeups / " << k.kswapd_reclaimed << " pages / "
        << k.kswapd_cycles << " cycles, kcompactd " << k.kcompactd_runs << " runs / " << k.kcompactd_cycles << " cycles, direct "
        << k.direct_reclaims << " runs / " << k.direct_reclaimed << " pages; swap " << k.swap_outs << " out, " << k.swap_ins
        << " in; " << k.file_pages_dropped << " file pages dropped; " << k.oom_kills << " OOM kills\n"
        << "          tags: " << k.tags_saved_swap << " saved at swap-out, " << k.tags_saved_pfn
        << " parked by pfn; xarray peaks " << r.swap_xarray_peak << " swap (" << r.swap_xarray_peak_bytes << " B), "
        << r.pfn_xarray_peak << " pfn (" << r.pfn_xarray_peak_bytes << " B); " << (m.compact_success - k.kcompactd_success) << "/" << m.compact_stalls
        << " direct compactions succeeded\n";
    if (r.tag_check_mode)
        out << "          shadow tag check: " << r.shadow_checks << " page checks, " << r.shadow_lost << " lost, "
            << r.shadow_misplaced << " misplaced" << (r.shadow_first_error.empty() ? "" : " (first: " + r.shadow_first_error + ")")
            << "\n";
    out << "host      " << fixed(host_seconds, 3) << " s, " << fixed(static_cast<double>(r.events) / std::max(host_seconds, 1e-9), 0)
        << " events/s, " << fixed(static_cast<double>(accesses) / std::max(host_seconds, 1e-9), 0) << " accesses/s\n";
}

}  // namespace mtesim
