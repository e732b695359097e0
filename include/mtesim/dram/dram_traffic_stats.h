// DramTrafficStats: what one class of DRAM traffic (data, or the tag region) did: requests,
// row-buffer outcomes, bytes and the latency distribution. Plain counters filled by
// DramTimingEngine::access; the printers read them.
#pragma once

#include "mtesim/stats/latency_histogram.h"

#include <cstdint>

namespace mtesim {

enum class RowOutcome { hit, miss, conflict };

struct DramTrafficStats {
    std::uint64_t reads = 0;          /* in requests */
    std::uint64_t writes = 0;         /* in requests */
    std::uint64_t row_hits = 0;       /* in requests */
    std::uint64_t row_misses = 0;     /* in requests: bank precharged, ACT needed */
    std::uint64_t row_conflicts = 0;  /* in requests: another row open, PRE + ACT needed */
    std::uint64_t bytes = 0;          /* in bytes */
    LatencyHistogram latency;         /* arrival to last data beat, in tCK cycles */

    std::uint64_t requests() const { return reads + writes; }
};

}  // namespace mtesim
