// MeshHopLatency: see the header for the mechanism and its sources.
#include "mtesim/cache/mesh_hop_latency.h"

#include <cmath>

namespace mtesim {

namespace {
/* The two device-port crossings of a path, as DvmBroadcastModel::hops counts them: the
 * requester's XP port into the mesh and the home node's port out of it. */
constexpr double kDevicePortCrossings = 2.0;

/* Mean |p - q| over q = 0 .. n-1, each equally likely. */
double mean_distance(std::uint32_t p, std::uint32_t n) {
    double sum = 0;
    for (std::uint32_t q = 0; q < n; ++q) sum += p > q ? p - q : q - p;
    return sum / n;
}
}  // namespace

MeshHopLatency::MeshHopLatency(const TopologyDesc &topology) : m_topology(topology) {
    m_modelled = topology.present && topology.kind == "arm,cmn-600" && !topology.cpu_xps.empty() && topology.columns &&
                 topology.rows && topology.clock_hz && topology.hop_cycles;
}

/*
 * XY routing makes a path's hops the sum of its column and row distances, and the home XP's
 * column and row are independent and uniform when the home is uniform over the grid: the mean
 * is the mean column distance plus the mean row distance, plus the two port crossings.
 */
double MeshHopLatency::mean_hops(std::size_t core) const {
    if (!m_modelled) return 0;
    const XpCoord xp = m_topology.cpu_xps[core < m_topology.cpu_xps.size() ? core : 0];
    return mean_distance(xp.x, m_topology.columns) + mean_distance(xp.y, m_topology.rows) + kDevicePortCrossings;
}

std::uint32_t MeshHopLatency::round_trip_cycles(std::size_t core, std::uint64_t core_hz) const {
    if (!m_modelled || !core_hz) return 0;
    const double mesh_cycles = 2.0 * mean_hops(core) * m_topology.hop_cycles;
    const double core_cycles = mesh_cycles * static_cast<double>(core_hz) / static_cast<double>(m_topology.clock_hz);
    return static_cast<std::uint32_t>(std::llround(core_cycles));
}

}  // namespace mtesim
