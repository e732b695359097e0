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

/*
 * One round: the requester's message reaches the DN; the DN sends its snoops to the other cores
 * of the domain one after another in the domain's order (two flits each at its port); each
 * target's snoop crosses the mesh, the target invalidates and its response crosses back; the
 * round ends with the last response, and the completion crosses back to the requester.
 */
DvmRound DvmBroadcastModel::broadcast(const TopologyDesc &t, double ack_ps, std::size_t requester) {
    DvmRound r;
    const double cycle_ps = 1e12 / static_cast<double>(t.clock_hz);
    const double hop_ps = cycle_ps * t.hop_cycles;
    const XpCoord req = t.cpu_xps.at(requester);
    double last = 0;
    for (std::size_t k = 0; k < t.cpu_xps.size(); ++k) {
        if (k == requester) continue;
        const unsigned h = hops(t.dvm_node, t.cpu_xps[k]);
        r.max_hops = std::max(r.max_hops, h);
        ++r.targets;
        const double done = static_cast<double>(r.targets * kSnoopFlits) * cycle_ps + 2.0 * h * hop_ps + ack_ps;
        last = std::max(last, done);
    }
    r.ps = 2.0 * hops(req, t.dvm_node) * hop_ps + last;
    r.issue_ps = static_cast<double>(r.targets * kSnoopFlits) * cycle_ps;
    return r;
}

DvmBroadcastModel::DvmBroadcastModel(const TopologyDesc &topology, std::uint64_t core_hz, std::uint32_t ack_cycles,
                                     std::uint32_t fallback_cycles, std::size_t requester) {
    if (!topology.present || topology.cpu_xps.empty()) {
        m_cycles = fallback_cycles;
        return;
    }
    m_modelled = true;
    const double core_ps = 1e12 / static_cast<double>(core_hz);
    m_round = broadcast(topology, ack_cycles * core_ps, requester);
    // Two rounds: the DVMOp of the TLBI, then the DVMSync of the DSB ISH.
    m_cycles = static_cast<std::uint64_t>(std::ceil(2.0 * m_round.ps / core_ps));
    m_round_cycles = static_cast<std::uint64_t>(std::ceil(m_round.ps / core_ps));
}

}  // namespace mtesim
