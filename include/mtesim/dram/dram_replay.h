// DramReplay: drives a DramTimingEngine from a request trace with no cores, the way DRAMsim3,
// Ramulator and DRAMSys replay their traces, so mtesim's DRAM model can be compared with them
// on the same input. The front end hands the controller at most one request per cycle (as
// DRAMsim3's trace CPU does): request i enters at the earliest cycle that is at or after its
// trace cycle, after request i-1 entered, and at which its queue has room. Untimed traces
// (Ramulator's) thus run as fast as the controller's queues accept them.
#pragma once

#include "mtesim/dram/dram_timing_engine.h"
#include "mtesim/dram/dram_trace_reader.h"

#include <cstdint>

namespace mtesim {

struct DramReplayResult {
    DramTrafficStats traffic;
    DramSchedulerStats scheduler;
    std::uint64_t requests = 0;
    std::uint64_t end_cycle = 0;   /* completion of the last request, in tCK cycles */
    std::uint64_t refreshes = 0;
    double sim_seconds = 0;        /* end_cycle * tCK */
    double bandwidth = 0;          /* in bytes per simulated second */
    double host_seconds = 0;
};

class DramReplay {
public:
    DramReplay(const DramConfig &config, std::uint32_t request_bytes);

    /// Replays every request of @reader (up to @max_requests, 0: all).
    DramReplayResult run(DramTraceReader &reader, std::uint64_t max_requests = 0);

private:
    DramTimingEngine m_engine;
    std::uint32_t m_request_bytes;
};

}  // namespace mtesim
