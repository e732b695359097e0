// DramReplay: drives a DramTimingEngine from a request trace with no cores, the way DRAMsim3,
// Ramulator and DRAMSys replay their traces, so mtesim's DRAM model can be compared with them
// on the same input. At most queue_depth requests are outstanding: request i arrives at
// max(its trace cycle, the arrival of request i-1, the completion of request i-queue_depth).
// Untimed traces (Ramulator's) thus run closed-loop at the queue's limit.
#pragma once

#include "mtesim/dram/dram_timing_engine.h"
#include "mtesim/dram/dram_trace_reader.h"

#include <cstdint>

namespace mtesim {

struct DramReplayResult {
    DramTrafficStats traffic;
    std::uint64_t requests = 0;
    std::uint64_t end_cycle = 0;   /* completion of the last request, in tCK cycles */
    std::uint64_t refreshes = 0;
    double sim_seconds = 0;        /* end_cycle * tCK */
    double bandwidth = 0;          /* in bytes per simulated second */
    double host_seconds = 0;
};

class DramReplay {
public:
    DramReplay(const DramConfig &config, std::uint32_t queue_depth, std::uint32_t request_bytes);

    /// Replays every request of @reader (up to @max_requests, 0: all).
    DramReplayResult run(DramTraceReader &reader, std::uint64_t max_requests = 0);

private:
    DramTimingEngine m_engine;
    std::uint32_t m_queue_depth;
    std::uint32_t m_request_bytes;
};

}  // namespace mtesim
