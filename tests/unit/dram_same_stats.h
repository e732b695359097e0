// The DRAM unit tests that compare two ways of running the same traffic (predictions against
// replay, late entries on and off): every traffic and scheduler statistic must be equal.
#pragma once

#include "mtesim/dram/dram_scheduler_stats.h"
#include "mtesim/dram/dram_traffic_stats.h"

#include <gtest/gtest.h>

namespace mtesim {

inline void expect_same_traffic(const DramTrafficStats &a, const DramTrafficStats &b) {
    EXPECT_EQ(a.reads, b.reads);
    EXPECT_EQ(a.writes, b.writes);
    EXPECT_EQ(a.from_write_queue, b.from_write_queue);
    EXPECT_EQ(a.row_hits, b.row_hits);
    EXPECT_EQ(a.row_misses, b.row_misses);
    EXPECT_EQ(a.row_conflicts, b.row_conflicts);
    EXPECT_EQ(a.latency.count(), b.latency.count());
    EXPECT_EQ(a.latency.max(), b.latency.max());
    EXPECT_EQ(a.latency.mean(), b.latency.mean());
    EXPECT_EQ(a.latency.percentile(0.5), b.latency.percentile(0.5));
    EXPECT_EQ(a.write_latency.count(), b.write_latency.count());
    EXPECT_EQ(a.write_latency.mean(), b.write_latency.mean());
    EXPECT_EQ(a.write_latency.max(), b.write_latency.max());
}

inline void expect_same_scheduler(const DramSchedulerStats &a, const DramSchedulerStats &b) {
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_EQ(a.read_queue_cycles, b.read_queue_cycles);
    EXPECT_EQ(a.write_queue_cycles, b.write_queue_cycles);
    EXPECT_EQ(a.read_queue_max, b.read_queue_max);
    EXPECT_EQ(a.write_queue_max, b.write_queue_max);
    EXPECT_EQ(a.drain_episodes, b.drain_episodes);
    EXPECT_EQ(a.drain_high_watermark, b.drain_high_watermark);
    EXPECT_EQ(a.read_to_write, b.read_to_write);
    EXPECT_EQ(a.write_to_read, b.write_to_read);
    EXPECT_EQ(a.rank_switches, b.rank_switches);
    EXPECT_EQ(a.acts, b.acts);
    EXPECT_EQ(a.pres, b.pres);
    EXPECT_EQ(a.refreshes_all_bank, b.refreshes_all_bank);
    EXPECT_EQ(a.refreshes_per_bank, b.refreshes_per_bank);
    EXPECT_EQ(a.forwarded_reads, b.forwarded_reads);
    EXPECT_EQ(a.merged_writes, b.merged_writes);
    EXPECT_EQ(a.bypass_cap_hits, b.bypass_cap_hits);
    EXPECT_EQ(a.bg_hits, b.bg_hits);
    EXPECT_EQ(a.bg_misses, b.bg_misses);
    EXPECT_EQ(a.bg_conflicts, b.bg_conflicts);
}

}  // namespace mtesim
