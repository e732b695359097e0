// MeshHopLatency: what an LLC access costs in crossing the mesh, on boards whose last-level
// cache is a CMN system-level cache (the board's /interconnect is "arm,cmn-600";
// docs/bindings.md, docs/timing-model.md "LLC hits across the mesh").
//
// In a CMN-600 system the SLC is not next to the core: it is split into slices, one per fully
// coherent home node (HN-F), and each line's home slice is chosen by a hash of its physical
// address that spreads lines evenly over the HN-Fs (Arm CMN-600 TRM, "System Level Cache" and
// "HN-F hashing"; Linux Documentation/admin-guide/perf/arm-cmn.rst describes the same mesh of
// crosspoints (XPs) with up to two device ports each). An L2 miss therefore travels from the
// core's XP to the home slice's XP and the data comes back: a round trip along XY routing.
//
// Per core: the mean one-way hops from the core's XP to a line's home XP, the home XPs being
// every XP of the grid, each equally likely (the even hash; where a board's HN-Fs actually sit
// is not published for Altra or AmpereOne, so every XP is assumed to hold a slice), counted
// as DvmBroadcastModel counts them (the Manhattan distance plus the two device-port crossings,
// the RN-F's and the HN-F's). The round trip is twice that, at mtesim,hop-cycles interconnect
// cycles a hop, converted to the core's cycles. Nothing here is fitted to a load-to-use
// figure: the mesh's size, the core placement, the hop cost and the mesh clock all come from the
// board's device tree, with their sources there.
//
// A board without such a node (a DSU-class L3 next to the cores: virt, phone, server-64g-mte)
// or with a cluster bus (one XP per cluster, no sliced SLC) has no mesh term: 0.
#pragma once

#include "mtesim/dt/topology_desc.h"

#include <cstddef>
#include <cstdint>

namespace mtesim {

class MeshHopLatency {
public:
    explicit MeshHopLatency(const TopologyDesc &topology);

    /// The board's LLC sits across a CMN mesh (and the crossing is charged).
    bool modelled() const { return m_modelled; }
    /// Mean one-way XP hops from the XP of core @core (the /interconnect's mtesim,cpu-xps
    /// order, the boot CPU first) to a line's home slice, device-port crossings included.
    double mean_hops(std::size_t core) const;
    /// The mesh round trip of an LLC access from core @core, in that core's cycles at @core_hz
    /// (rounded to nearest); 0 without a mesh.
    std::uint32_t round_trip_cycles(std::size_t core, std::uint64_t core_hz) const;

private:
    TopologyDesc m_topology; /* a copy: the PlatformDesc may be moved */
    bool m_modelled = false;
};

}  // namespace mtesim
