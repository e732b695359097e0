// DramReplay: one request per cycle into the engine, then a flush; see the header.
#include "mtesim/dram/dram_replay.h"

#include <algorithm>
#include <chrono>

namespace mtesim {

DramReplay::DramReplay(const DramConfig &config, std::uint32_t request_bytes)
    : m_engine(config), m_request_bytes(request_bytes) {}

DramReplayResult DramReplay::run(DramTraceReader &reader, std::uint64_t max_requests) {
    const auto start = std::chrono::steady_clock::now();
    DramReplayResult res;
    std::uint64_t next_free = 0; /* first cycle the front end can take the next request */
    DramRequest req;
    while ((max_requests == 0 || res.requests < max_requests) && reader.next(req)) {
        const std::uint64_t arrival = req.timed ? std::max(next_free, req.cycle) : next_free;
        const std::uint64_t entry = m_engine.submit(req.addr, req.write, arrival, m_request_bytes,
                                                    DramTimingEngine::Klass::data);
        next_free = entry + 1;
        ++res.requests;
    }
    m_engine.flush();
    res.traffic = m_engine.traffic(DramTimingEngine::Klass::data);
    res.scheduler = m_engine.scheduler();
    res.end_cycle = m_engine.last_done();
    res.refreshes = m_engine.refreshes();
    res.sim_seconds = static_cast<double>(res.end_cycle) * m_engine.config().tck_ps * 1e-12;
    res.bandwidth = res.sim_seconds > 0 ? static_cast<double>(res.traffic.bytes) / res.sim_seconds : 0;
    res.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

}  // namespace mtesim
