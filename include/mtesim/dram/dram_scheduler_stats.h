// DramSchedulerStats: what a controller's scheduler did, summed over its channels: queue
// occupancy, write-drain episodes, bus turnarounds, refresh commands, forwarding and the row
// buffer outcome per bank group. Plain counters filled by DramChannel; the printers read them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
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

    /// Adds @o's counts to these (maxima: the larger). A prediction's run is counted into a
    /// scratch set of stats, added here if the controller adopts that run (DramTimingEngine).
    void add(const DramSchedulerStats &o) {
        read_queue_cycles += o.read_queue_cycles;
        write_queue_cycles += o.write_queue_cycles;
        cycles += o.cycles;
        read_queue_max = read_queue_max > o.read_queue_max ? read_queue_max : o.read_queue_max;
        write_queue_max = write_queue_max > o.write_queue_max ? write_queue_max : o.write_queue_max;
        drain_episodes += o.drain_episodes;
        drain_high_watermark += o.drain_high_watermark;
        read_to_write += o.read_to_write;
        write_to_read += o.write_to_read;
        rank_switches += o.rank_switches;
        acts += o.acts;
        pres += o.pres;
        refreshes_all_bank += o.refreshes_all_bank;
        refreshes_per_bank += o.refreshes_per_bank;
        forwarded_reads += o.forwarded_reads;
        merged_writes += o.merged_writes;
        bypass_cap_hits += o.bypass_cap_hits;
        add_each(bg_hits, o.bg_hits);
        add_each(bg_misses, o.bg_misses);
        add_each(bg_conflicts, o.bg_conflicts);
    }
    /// Every count to zero, the per bank group vectors keeping their size.
    void clear() {
        std::vector<std::uint64_t> h = std::move(bg_hits), m = std::move(bg_misses), c = std::move(bg_conflicts);
        *this = DramSchedulerStats{};
        for (auto *v : {&h, &m, &c})
            for (std::uint64_t &x : *v) x = 0;
        bg_hits = std::move(h);
        bg_misses = std::move(m);
        bg_conflicts = std::move(c);
    }

    double read_queue_mean() const { return cycles ? static_cast<double>(read_queue_cycles) / static_cast<double>(cycles) : 0; }
    double write_queue_mean() const { return cycles ? static_cast<double>(write_queue_cycles) / static_cast<double>(cycles) : 0; }

private:
    static void add_each(std::vector<std::uint64_t> &to, const std::vector<std::uint64_t> &from) {
        if (to.size() < from.size()) to.resize(from.size(), 0);
        for (std::size_t i = 0; i < from.size(); ++i) to[i] += from[i];
    }
};

}  // namespace mtesim
