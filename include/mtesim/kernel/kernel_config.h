// KernelConfig: the [vm], [swap] and [storage] settings of the kernel model (address spaces,
// reclaim, swap, the page cache's backing device), resolved from the ConfigStore.
#pragma once

#include "mtesim/config/config_store.h"

#include <cstdint>

namespace mtesim {

/// Latency and bandwidth of a block device (swap device, or the disk behind the page cache).
struct BlockDeviceConfig {
    double read_latency_ns = 0;   /* per 4 KiB read request, in ns (0: a synchronous device, zram) */
    double bandwidth_mbps = 1;    /* sustained read bandwidth, in MB/s (10^6 bytes per second) */
    double write_latency_ns = 0;  /* per 4 KiB write request, in ns */
    double write_bandwidth_mbps = 1; /* sustained write bandwidth, in MB/s */
    std::uint32_t read_ahead_kb = 128; /* KiB: the largest file readahead window (the block queue's read_ahead_kb; VM_READAHEAD_PAGES) */
    std::uint32_t queue_depth = 0; /* requests a hardware queue holds in flight before a submitter sleeps for a tag (the queue's nr_requests), in requests; 0: no limit */
    std::uint32_t hw_queues = 0;   /* hardware queues, CPU c submitting to queue c % hw_queues; 0: one per CPU (blk-mq's per-CPU queues of an NVMe device) */

    /// A device that writes as it reads: @latency_ns a request and @mbps either way, no tag limit.
    static BlockDeviceConfig symmetric(double latency_ns, double mbps, std::uint32_t read_ahead_kb = 128) {
        return BlockDeviceConfig{latency_ns, mbps, latency_ns, mbps, read_ahead_kb, 0, 0};
    }
};

struct KernelConfig {
    std::uint64_t swap_pages = 0;       /* swap device capacity, in pages */
    BlockDeviceConfig swap;
    BlockDeviceConfig storage;          /* the file system's device (page-cache misses, write-back) */
    std::uint64_t reclaim_batch = 32;   /* pages per direct-reclaim pass (SWAP_CLUSTER_MAX) */
    unsigned dirty_background_ratio = 10; /* vm.dirty_background_ratio: the flusher writes in the background above this % of dirtyable memory */
    unsigned dirty_writeback_cs = 500;    /* vm.dirty_writeback_centisecs: the periodic write-back's interval (0: none) */
    unsigned dirty_expire_cs = 3000;      /* vm.dirty_expire_centisecs: age at which the periodic write-back writes a dirty file */
    unsigned dirty_ratio = 20;            /* vm.dirty_ratio: the dirty threshold of balance_dirty_pages (DirtyThrottle); halves a background ratio not below it (domain_dirty_limits) */
    unsigned page_cluster = 3;          /* vm.page-cluster: swap readahead reads up to 2^this pages (0: off) */
    unsigned fault_around_pages = 16;   /* fault_around_bytes / 4 KiB: a read fault of a file page maps the cached pages around it, this many aligned (1: off) */
    bool kswapd = true;                 /* background reclaim at the low watermark */
    unsigned compaction_proactiveness = 20; /* vm.compaction_proactiveness, 0..100 (0: kcompactd never compacts proactively) */
    bool check_tags = false;            /* test mode: the shadow tag checker runs */
    bool data = false;                  /* vm.data: functional data (PageDataStore), issue 17 */
    std::uint64_t prefill_page_cache_pages = 0; /* vm.prefill_page_cache_mbytes: page cache filled before the workload */

    static KernelConfig resolve(ConfigStore &store);
};

}  // namespace mtesim
