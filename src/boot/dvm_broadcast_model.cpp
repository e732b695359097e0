// DvmBroadcastModel: see the header for the mechanism and its sources.
#include "mtesim/boot/dvm_broadcast_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace mtesim {

namespace {
/* AMBA CHI (IHI 0050), "DVM operations": a DVM snoop is sent in two parts. */
constexpr unsigned kSnoopFlits = 2;
}  // namespace

unsigned DvmBroadcastModel::hops(XpCoord a, XpCoord b) {
    const auto d = [](std::uint32_t p, std::uint32_t q) { return p > q ? p - q : q - p; };
    return d(a.x, b.x) + d(a.y, b.y) + 2;
}

DvmRound DvmBroadcastModel::broadcast(const TopologyDesc &t, double ack_ps) {
    DvmRound r;
    const double cycle_ps = 1e12 / static_cast<double>(t.clock_hz);
    const double hop_ps = cycle_ps * t.hop_cycles;
    const XpCoord req = t.cpu_xps.front();
    double last = 0;
    for (std::size_t k = 1; k < t.cpu_xps.size(); ++k) {
        const unsigned h = hops(t.dvm_node, t.cpu_xps[k]);
        r.max_hops = std::max(r.max_hops, h);
        const double done = static_cast<double>(k * kSnoopFlits) * cycle_ps + 2.0 * h * hop_ps + ack_ps;
        last = std::max(last, done);
        ++r.targets;
    }
    r.ps = 2.0 * hops(req, t.dvm_node) * hop_ps + last;
    return r;
}

DvmBroadcastModel::DvmBroadcastModel(const TopologyDesc &topology, std::uint64_t core_hz, std::uint32_t ack_cycles,
                                     std::uint32_t fallback_cycles) {
    if (!topology.present || topology.cpu_xps.empty()) {
        m_cycles = fallback_cycles;
        return;
    }
    m_modelled = true;
    const double core_ps = 1e12 / static_cast<double>(core_hz);
    m_round = broadcast(topology, ack_cycles * core_ps);
    // Two rounds: the DVMOp of the TLBI, then the DVMSync of the DSB ISH.
    m_cycles = static_cast<std::uint64_t>(std::ceil(2.0 * m_round.ps / core_ps));
}

}  // namespace mtesim
