// DramTrafficStats: what one class of DRAM traffic (data, or the tag region) did: requests,
// row-buffer outcomes, bytes and the read and write latency distributions. Plain counters filled by
// DramTimingEngine as requests are served (bursts: one request per burst); the printers read them.
#pragma once

#include "mtesim/stats/latency_histogram.h"

#include <cstdint>

namespace mtesim {

enum class RowOutcome { hit, miss, conflict };

struct DramTrafficStats {
    std::uint64_t reads = 0;          /* in requests */
    std::uint64_t writes = 0;         /* in requests */
    std::uint64_t from_write_queue = 0; /* in requests: reads forwarded from, writes merged into, the write queue */
    std::uint64_t row_hits = 0;       /* in requests */
    std::uint64_t row_misses = 0;     /* in requests: bank precharged, ACT needed */
    std::uint64_t row_conflicts = 0;  /* in requests: another row open, PRE + ACT needed */
    std::uint64_t bytes = 0;          /* in bytes */
    LatencyHistogram latency;         /* reads: queue entry to last data beat, in tCK cycles */
    LatencyHistogram write_latency;   /* writes: queue entry to last data beat in DRAM, in tCK cycles */

    std::uint64_t requests() const { return reads + writes; }
};

}  // namespace mtesim
