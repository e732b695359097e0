// DramReplay: a ring of the last queue_depth completion cycles bounds the outstanding requests.
#include "mtesim/dram/dram_replay.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace mtesim {

DramReplay::DramReplay(const DramConfig &config, std::uint32_t queue_depth, std::uint32_t request_bytes)
    : m_engine(config), m_queue_depth(std::max<std::uint32_t>(1, queue_depth)), m_request_bytes(request_bytes) {}

DramReplayResult DramReplay::run(DramTraceReader &reader, std::uint64_t max_requests) {
    const auto start = std::chrono::steady_clock::now();
    DramReplayResult res;
    std::vector<std::uint64_t> done(m_queue_depth, 0);
    std::uint64_t prev_arrival = 0;
    DramRequest req;
    while ((max_requests == 0 || res.requests < max_requests) && reader.next(req)) {
        std::uint64_t &slot = done[res.requests % m_queue_depth];
        std::uint64_t arrival = std::max(prev_arrival, slot);
        if (req.timed) arrival = std::max(arrival, req.cycle);
        const auto r = m_engine.access(req.addr, req.write, arrival, m_request_bytes, res.traffic);
        slot = r.done;
        prev_arrival = arrival;
        res.end_cycle = std::max(res.end_cycle, r.done);
        ++res.requests;
    }
    res.refreshes = m_engine.refreshes();
    res.sim_seconds = static_cast<double>(res.end_cycle) * m_engine.config().tck_ps * 1e-12;
    res.bandwidth = res.sim_seconds > 0 ? static_cast<double>(res.traffic.bytes) / res.sim_seconds : 0;
    res.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

}  // namespace mtesim
