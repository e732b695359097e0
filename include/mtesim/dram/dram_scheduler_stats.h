// DramSchedulerStats: what a controller's scheduler did, summed over its channels: queue
// occupancy, write-drain episodes, bus turnarounds, refresh commands, forwarding and the row
// buffer outcome per bank group. Plain counters filled by DramChannel; the printers read them.
#pragma once

#include <cstdint>
#include <vector>

namespace mtesim {

struct DramSchedulerStats {
    std::uint64_t read_queue_cycles = 0;   /* sum over cycles of queued reads, in request-cycles */
    std::uint64_t write_queue_cycles = 0;  /* sum over cycles of queued writes, in request-cycles */
    std::uint64_t cycles = 0;              /* channel-cycles over which occupancy was summed */
    std::uint64_t read_queue_max = 0;      /* in requests */
    std::uint64_t write_queue_max = 0;     /* in requests */
    std::uint64_t drain_episodes = 0;      /* write drains started (watermark or opportunistic) */
    std::uint64_t drain_high_watermark = 0; /* of which started at the high watermark */
    std::uint64_t read_to_write = 0;       /* turnarounds: WR after RD on a channel */
    std::uint64_t write_to_read = 0;       /* turnarounds: RD after WR on a channel */
    std::uint64_t rank_switches = 0;       /* column commands to another rank than the previous */
    std::uint64_t acts = 0, pres = 0;      /* commands (PRE includes refresh and timeout closes) */
    std::uint64_t refreshes_all_bank = 0;  /* REFab commands */
    std::uint64_t refreshes_per_bank = 0;  /* REFpb commands */
    std::uint64_t forwarded_reads = 0;     /* reads answered from the write queue */
    std::uint64_t merged_writes = 0;       /* writes merged into a queued write to the same line */
    std::uint64_t bypass_cap_hits = 0;     /* row hits held back because an older request reached the cap */
    std::vector<std::uint64_t> bg_hits, bg_misses, bg_conflicts; /* per bank group index, over ranks and channels */

    double read_queue_mean() const { return cycles ? static_cast<double>(read_queue_cycles) / static_cast<double>(cycles) : 0; }
    double write_queue_mean() const { return cycles ? static_cast<double>(write_queue_cycles) / static_cast<double>(cycles) : 0; }
};

}  // namespace mtesim
