// KernelConfig::resolve: the [vm], [swap] and [storage] keys (docs/config.md).
#include "mtesim/kernel/kernel_config.h"

#include <algorithm>

namespace mtesim {

namespace {

BlockDeviceConfig device(ConfigStore &s, const std::string &section, double read_us, double mbps, double write_us,
                         double write_mbps, std::uint32_t depth) {
    BlockDeviceConfig d;
    d.read_latency_ns = 1000.0 * s.get_double(section + ".read_latency_us", read_us, "us",
                                              "latency of one 4 KiB read from the " + section + " device", 0.0, 1e7);
    d.bandwidth_mbps = s.get_double(section + ".bandwidth_mbps", mbps, "MB/s",
                                    "sustained read bandwidth of the " + section + " device", 1e-3, 1e7);
    d.write_latency_ns = 1000.0 * s.get_double(section + ".write_latency_us", write_us, "us",
                                               "latency of one 4 KiB write to the " + section + " device", 0.0, 1e7);
    d.write_bandwidth_mbps = s.get_double(section + ".write_bandwidth_mbps", write_mbps, "MB/s",
                                          "sustained write bandwidth of the " + section + " device", 1e-3, 1e7);
    d.queue_depth = static_cast<std::uint32_t>(s.get_u64(
        section + ".queue_depth", depth, "requests",
        "requests a hardware queue of the " + section +
            " device holds in flight before a submitter sleeps for a tag (the block queue's nr_requests; 0: no limit)",
        0, 1u << 16));
    d.hw_queues = static_cast<std::uint32_t>(s.get_u64(
        section + ".hw_queues", 0, "queues",
        "hardware queues of the " + section + " device, CPU c submitting to queue c mod hw_queues (0: one per CPU)", 0, 1u << 16));
    return d;
}

}  // namespace

KernelConfig KernelConfig::resolve(ConfigStore &s) {
    KernelConfig c;
    c.swap_pages = s.get_u64("swap.size_mbytes", 1024, "MiB", "swap device capacity (0: no swap)", 0, 1ull << 24) *
                   ((1ull << 20) / 4096);
    // configs/default.ini's Samsung 970 EVO Plus (its sources there) when no config sets them.
    c.swap = device(s, "swap", 51.5, 3500.0, 15.4, 3300.0, 1023);
    c.storage = device(s, "storage", 51.5, 3500.0, 15.4, 3300.0, 1023);
    c.storage.read_ahead_kb = static_cast<std::uint32_t>(s.get_u64(
        "storage.read_ahead_kb", 128, "KiB",
        "largest file readahead window (the block queue's read_ahead_kb, Linux's default VM_READAHEAD_PAGES = 128 KiB; 0: off)",
        0, 1u << 20));
    c.reclaim_batch = s.get_u64("vm.reclaim_batch", 32, "pages", "pages a direct-reclaim pass frees (SWAP_CLUSTER_MAX)", 1, 1u << 20);
    c.page_cluster = static_cast<unsigned>(s.get_u64(
        "vm.page_cluster", 3, "", "swap-in readahead window of up to 2^N pages (Linux's vm.page-cluster; 0: no readahead)", 0, 5));
    {
        // fault_around_bytes_set: rounded down to a power of two, at least one page.
        const std::uint64_t bytes = s.get_u64(
            "vm.fault_around_bytes", 65536, "bytes",
            "a read fault of a file page also maps the cached pages around it, in an aligned window of this many bytes (Linux's fault_around_bytes; 4096: off)",
            0, 2u << 20);
        std::uint64_t pow2 = 1;
        while (pow2 * 2 <= bytes) pow2 *= 2;
        c.fault_around_pages = static_cast<unsigned>(std::max<std::uint64_t>(bytes ? pow2 >> 12 : 0, 1));
    }
    c.dirty_background_ratio = static_cast<unsigned>(s.get_u64(
        "vm.dirty_background_ratio", 10, "%",
        "dirty file pages, as a share of dirtyable memory, above which writers wake the flusher and it writes them back (Linux's sysctl)", 0, 100));
    c.dirty_writeback_cs = static_cast<unsigned>(s.get_u64(
        "vm.dirty_writeback_centisecs", 500, "cs",
        "interval of the flusher's periodic write-back while file pages are dirty (Linux's sysctl; 0: none)", 0, 8640000));
    c.dirty_expire_cs = static_cast<unsigned>(s.get_u64(
        "vm.dirty_expire_centisecs", 3000, "cs",
        "age of a dirty file at which the periodic write-back writes its pages (Linux's sysctl)", 0, 8640000));
    c.dirty_ratio = static_cast<unsigned>(s.get_u64(
        "vm.dirty_ratio", 20, "%",
        "dirty file pages, as a share of dirtyable memory, at which balance_dirty_pages holds writers to a pause of max_pause; past halfway between it and vm.dirty_background_ratio (the freerun ceiling) writers are paused in proportion (Linux's sysctl)",
        1, 100));
    c.kswapd = s.get_bool("vm.kswapd", true, "background reclaim from the low to the high watermark");
    c.compaction_proactiveness = static_cast<unsigned>(s.get_u64(
        "vm.compaction_proactiveness", 20, "",
        "how hard kcompactd compacts in the background (Linux's sysctl; 0: only when woken for an order)", 0, 100));
    c.check_tags = s.get_bool("vm.check_tags", false,
                              "test mode: a shadow copy of every tag the program set is checked against tag storage");
    c.data = s.get_bool("vm.data", false,
                        "functional data: stores write bytes that loads and expect_value read back (off: no values are kept)");
    c.prefill_page_cache_pages =
        s.get_u64("vm.prefill_page_cache_mbytes", 0, "MiB",
                  "clean page cache (file 0xfffffffe) filled at boot, up to the high watermark, at no simulated time (0: none)",
                  0, 1ull << 24) *
        ((1ull << 20) / 4096);
    return c;
}

}  // namespace mtesim
