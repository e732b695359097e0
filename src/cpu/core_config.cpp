// CoreConfig::resolve: every core-side key, its unit and its check.
#include "mtesim/cpu/core_config.h"

#include "mtesim/common/config_error.h"

namespace mtesim {

namespace {

CacheConfig cache(ConfigStore &s, const std::string &sec, std::uint64_t size, std::uint32_t ways) {
    CacheConfig c;
    c.size_bytes = s.get_u64(sec + ".size", size, "bytes", "capacity", 1024, 1ull << 34);
    c.ways = static_cast<std::uint32_t>(s.get_u64(sec + ".ways", ways, "count", "associativity", 1, 64));
    c.line_bytes = static_cast<std::uint32_t>(s.get_u64(sec + ".line", 64, "bytes", "line size", 16, 256));
    const std::uint64_t sets = c.size_bytes / (std::uint64_t(c.ways) * c.line_bytes);
    if ((c.line_bytes & (c.line_bytes - 1)) != 0)
        throw ConfigError(s.where(sec + ".line") + ", expected a power of two");
    if (sets == 0 || (sets & (sets - 1)) != 0 || sets * c.ways * c.line_bytes != c.size_bytes)
        throw ConfigError(s.where(sec + ".size") + ", expected size = ways x line x a power-of-two number of sets");
    return c;
}

}  // namespace

CoreConfig CoreConfig::resolve(ConfigStore &s) {
    CoreConfig c;
    c.base_cpi = s.get_double("core.base_cpi", 1.0, "cycles", "cycles per instruction of a 'compute' event", 0.01, 100);
    c.l1d = cache(s, "l1d", 64 * 1024, 4);
    c.l1d_latency = static_cast<std::uint32_t>(s.get_u64("l1d.latency", 4, "cycles", "load-to-use latency of an L1D hit", 1, 1000));
    // l2.size = 0: no private L2 (the default for cpus without a core preset).
    if (s.get_u64("l2.size", 0, "bytes", "L2 capacity, private or a complex's shared one (0: none; a next-level-cache node sets it)", 0, 1ull << 34) != 0) {
        c.l2 = cache(s, "l2", 1024 * 1024, 8);
        if (c.l2.line_bytes != c.l1d.line_bytes)
            throw ConfigError(s.where("l2.line") + ", expected the same line size as l1d.line");
    }
    c.l2_latency = static_cast<std::uint32_t>(s.get_u64("l2.latency", 7, "cycles", "extra latency of an L2 hit beyond the L1D lookup", 1, 1000));
    c.llc = cache(s, "llc", 8 * 1024 * 1024, 16);
    c.llc_latency = static_cast<std::uint32_t>(s.get_u64("llc.latency", 30, "cycles", "extra latency of an LLC hit", 1, 10000));
    if (c.llc.line_bytes != c.l1d.line_bytes)
        throw ConfigError(s.where("llc.line") + ", expected the same line size as l1d.line");
    // [tlb]: entries/ways are the unified L2 TLB (the only TLB before the hierarchy), the l1_*
    // keys the L1 data TLB, walk_cache_* the walk cache of table descriptors.
    auto tlb_level = [&s](const std::string &entries_key, const std::string &ways_key, std::uint64_t entries,
                          std::uint64_t ways, const char *what, std::uint32_t &e_out, std::uint32_t &w_out) {
        e_out = static_cast<std::uint32_t>(s.get_u64(entries_key, entries, "count", std::string(what) + " entries", 1, 1 << 20));
        w_out = static_cast<std::uint32_t>(s.get_u64(ways_key, ways, "count", std::string(what) + " associativity (= entries: fully associative)", 1, 1 << 20));
        if (e_out % w_out || ((e_out / w_out) & (e_out / w_out - 1)))
            throw ConfigError(s.where(entries_key) + ", expected " + ways_key + " x a power-of-two number of sets");
    };
    tlb_level("tlb.l1_entries", "tlb.l1_ways", 48, 48, "L1 data TLB", c.tlb.l1_entries, c.tlb.l1_ways);
    tlb_level("tlb.entries", "tlb.ways", 1024, 4, "unified L2 TLB", c.tlb.l2_entries, c.tlb.l2_ways);
    tlb_level("tlb.walk_cache_entries", "tlb.walk_cache_ways", 64, 4, "walk cache", c.tlb.walk_entries, c.tlb.walk_ways);
    c.l2_tlb_latency = static_cast<std::uint32_t>(
        s.get_u64("tlb.l2_latency", 3, "cycles", "extra latency of an L1 dTLB miss that hits the L2 TLB (or the walk cache)", 0, 1000));
    c.kernel_entry_cycles = static_cast<std::uint32_t>(
        s.get_u64("kernel.entry_cycles", 150, "cycles", "exception entry and return of a syscall or fault", 0, 1000000));
    c.tlbi_cycles = static_cast<std::uint32_t>(
        s.get_u64("kernel.tlbi_cycles", 500, "cycles", "broadcast TLBI of one page (inner shareable)", 0, 100000000));
    c.dsb_cycles = static_cast<std::uint32_t>(s.get_u64("kernel.dsb_cycles", 80, "cycles", "DSB ISH", 0, 100000000));
    c.isb_cycles = static_cast<std::uint32_t>(s.get_u64("kernel.isb_cycles", 20, "cycles", "ISB", 0, 100000000));
    c.tlbi_page_cycles = static_cast<std::uint32_t>(s.get_u64(
        "kernel.tlbi_page_cycles", 193, "cycles", "each page's TLBI where several share one DSB ISH (a batched or range flush)", 0, 100000000));
    const std::string tlbi_timing =
        s.get_string("kernel.tlbi_timing", "auto",
                     "auto: a TLBI's broadcast and completion are the DVM broadcast over the board's /interconnect (DvmBroadcastModel, each core from its "
                     "crosspoint) where it has one, kernel.tlbi_cycles and kernel.tlbi_page_cycles elsewhere; dvm: the broadcast (exit 2 without an "
                     "/interconnect); fixed: the two keys on every board",
                     {"auto", "dvm", "fixed"});
    c.tlbi_timing = tlbi_timing == "dvm"     ? CoreConfig::TlbiTiming::dvm
                    : tlbi_timing == "fixed" ? CoreConfig::TlbiTiming::fixed
                                             : CoreConfig::TlbiTiming::automatic;
    const std::uint64_t flush = c.page_flush_cycles();
    if (c.tlbi_page_cycles > flush)
        throw ConfigError(s.where("kernel.tlbi_page_cycles") + ", expected at most one page's whole flush, kernel.tlbi_cycles + dsb_cycles + isb_cycles (" +
                          std::to_string(flush) + ")");
    c.cmo_line_cycles = static_cast<std::uint32_t>(
        s.get_u64("kernel.cmo_line_cycles", 8, "cycles", "one DC cache-maintenance operation by VA (per line)", 0, 1000000));
    c.dczva_bytes = static_cast<std::uint32_t>(s.get_u64("core.dczva_bytes", 64, "bytes", "DC GZVA block (DCZID_EL0)", 16, 2048));
    c.tlbi_range = s.get_bool("core.tlbi_range", false, "FEAT_TLBIRANGE: the kernel's range flushes use TLBI RVALE1IS (Armv8.4 and later)");
    if ((c.dczva_bytes & (c.dczva_bytes - 1)) || c.dczva_bytes > c.l1d.line_bytes)
        throw ConfigError(s.where("core.dczva_bytes") + ", expected a power of two up to the line size");
    c.write_buffer = static_cast<std::uint32_t>(
        s.get_u64("core.write_buffer", 16, "entries", "write-backs in flight to memory before the core stalls", 1, 4096));
    c.kill_on_fault = s.get_string("core.on_fault", "kill", "what a thread does after a fault: kill (SIGSEGV) or continue",
                                   {"kill", "continue"}) == "kill";
    c.quantum_ns = s.get_double("sim.quantum_ns", 1000, "ns", "temporal decoupling quantum", 0.001, 1e9);
    c.seed = s.get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
    c.out_of_order = s.get_string("core.model", "inorder",
                                  "timing of the core: inorder (blocking, one miss at a time) or ooo (instruction window, MSHRs, store buffer)",
                                  {"inorder", "ooo"}) == "ooo";
    c.rob_entries = static_cast<std::uint32_t>(s.get_u64("core.rob_entries", 128, "instructions", "instruction window (reorder buffer)", 1, 4096));
    c.dispatch_width = static_cast<std::uint32_t>(s.get_u64("core.dispatch_width", 4, "instructions", "instructions dispatched per cycle", 1, 64));
    if (c.rob_entries < c.dispatch_width)
        throw ConfigError(s.where("core.rob_entries") + ", expected at least core.dispatch_width (" + std::to_string(c.dispatch_width) +
                          ") entries");
    c.load_pipes = static_cast<std::uint32_t>(s.get_u64(
        "core.load_pipes", 0, "loads", "loads the out-of-order model issues per cycle (load pipelines); 0: no limit beyond core.dispatch_width", 0, 64));
    c.store_pipes = static_cast<std::uint32_t>(s.get_u64(
        "core.store_pipes", 0, "stores", "stores the out-of-order model issues per cycle (store pipelines); 0: no limit beyond core.dispatch_width", 0, 64));
    c.load_store_pipes = static_cast<std::uint32_t>(s.get_u64(
        "core.load_store_pipes", 0, "pipelines",
        "pipelines loads and stores share: each slot of a load or a store takes one a cycle; 0: none shared (loads and stores bound only by their own)", 0, 64));
    const struct {
        const char *key;
        std::uint32_t pipes;
    } own_pipes[] = {{"core.load_pipes", c.load_pipes}, {"core.store_pipes", c.store_pipes}};
    for (const auto &own : own_pipes)
        if (c.load_store_pipes && own.pipes > c.load_store_pipes)
            throw ConfigError(s.where(own.key) + ", expected at most core.load_store_pipes (" + std::to_string(c.load_store_pipes) +
                              "): the pipelines of one kind are among those loads and stores share");
    c.load_slot_bytes = static_cast<std::uint32_t>(s.get_u64(
        "core.load_slot_bytes", 0, "bytes", "bytes of a load one pipeline slot carries: a load of N bytes takes ceil(N / this) slots; 0: one slot a load", 0, 4096));
    c.store_slot_bytes = static_cast<std::uint32_t>(s.get_u64(
        "core.store_slot_bytes", 0, "bytes", "bytes of a store one pipeline slot carries: a store of N bytes takes ceil(N / this) slots; 0: one slot a store", 0, 4096));
    c.load_pair_slots = static_cast<std::uint32_t>(s.get_u64(
        "core.load_pair_slots", 0, "slots",
        "pipeline slots a load pair of two X registers (LDP X, as the kernel's copy_page issues) takes; 0: each register's by core.load_slot_bytes", 0, 64));
    c.l1d_mshrs = static_cast<std::uint32_t>(s.get_u64("l1d.mshrs", 16, "entries", "outstanding L1D load misses", 1, 1024));
    c.llc_mshrs = static_cast<std::uint32_t>(s.get_u64("llc.mshrs", 16, "entries", "outstanding loads of one core to DRAM", 1, 1024));
    c.l2_mshrs = static_cast<std::uint32_t>(
        s.get_u64("l2.mshrs", 46, "entries", "outstanding loads of one core that miss its private L2 (used when l2.size > 0)", 1, 1024));
    c.load_queue = static_cast<std::uint32_t>(
        s.get_u64("core.load_queue", 68, "entries", "load queue: loads dispatched and not yet committed before dispatch stalls", 1, 4096));
    if (s.get_string("l1d.prefetcher", "none",
                     "L1D prefetcher (in-order and out-of-order cores): none, or stride (a stride table per 4 KiB region on the miss stream)",
                     {"none", "stride"}) == "stride") {
        c.prefetch_degree = static_cast<std::uint32_t>(s.get_u64("l1d.prefetch_degree", 4, "prefetches", "strides the L1D stride prefetcher runs ahead", 1, 64));
        c.stride_entries = static_cast<std::uint32_t>(s.get_u64("l1d.stride_entries", 16, "entries", "4 KiB regions the stride table tracks", 1, 1024));
        c.stride_max_lines = static_cast<std::uint32_t>(s.get_u64("l1d.stride_max", 4, "lines", "largest stride detected (either sign)", 1, 63));
        c.stride_confirm = static_cast<std::uint32_t>(s.get_u64("l1d.stride_confirm", 2, "misses", "repeats of one stride before prefetching", 1, 16));
    }
    if (s.get_string("l2.prefetcher", "none", "L2 prefetcher (into the private L2, or the LLC without one): none, or stream (next lines of an ascending L2 miss stream)",
                     {"none", "stream"}) == "stream")
        c.l2_prefetch_degree = static_cast<std::uint32_t>(s.get_u64("l2.prefetch_degree", 8, "lines", "lines the L2 stream prefetcher runs ahead", 1, 64));
    c.write_stream_lines = static_cast<std::uint32_t>(s.get_u64(
        "l1d.write_streaming_lines", 64, "lines",
        "lines of a write stream (lines written whole in a row) the L1D reads before it writes such lines without reading them; 0: never",
        0, 1024));
    c.write_stream_memory_lines = static_cast<std::uint32_t>(s.get_u64(
        "l1d.write_streaming_memory_lines", 16384, "lines",
        "lines of a write stream (lines written whole in a row) after which its lines allocate in no cache and go to memory; 0: never",
        0, 1u << 30));
    if (c.write_stream_memory_lines && c.write_stream_memory_lines < c.write_stream_lines)
        throw ConfigError(s.where("l1d.write_streaming_memory_lines") + ", expected 0 or at least l1d.write_streaming_lines (" +
                          std::to_string(c.write_stream_lines) + ")");
    c.store_buffer = static_cast<std::uint32_t>(s.get_u64("core.store_buffer", 24, "entries", "stores with an outstanding miss before dispatch stalls", 1, 1024));
    c.mispredict_penalty_cycles = static_cast<std::uint32_t>(
        s.get_u64("core.mispredict_penalty_cycles", 11, "cycles",
                  "cycles a mispredicted branch costs once it resolves (the front end refetches and refills: pipeline depth to the branch unit)",
                  0, 1000));
    return c;
}

}  // namespace mtesim
