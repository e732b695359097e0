// MeshHopLatency (docs/timing-model.md, "LLC hits across the mesh"): the mean hops from a
// core's crosspoint to a line's home slice, every XP equally likely, and the round trip in core
// cycles; the expectations are counted by hand on small grids.
#include "mtesim/cache/mesh_hop_latency.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {
TopologyDesc mesh(std::uint32_t columns, std::uint32_t rows, std::vector<XpCoord> cpus) {
    TopologyDesc t;
    t.present = true;
    t.kind = "arm,cmn-600";
    t.clock_hz = 2000000000; /* 500 ps a mesh cycle */
    t.hop_cycles = 2;
    t.columns = columns;
    t.rows = rows;
    t.cpu_xps = std::move(cpus);
    return t;
}
}  // namespace

TEST(MeshHopLatency, MeanHopsCountedByHand) {
    // A 3 x 1 row. From the end XP the homes are 0, 1 and 2 columns away: mean 1, plus the two
    // device ports = 3. From the middle: 1, 0, 1: mean 2/3, plus 2.
    const MeshHopLatency m(mesh(3, 1, {{0, 0}, {1, 0}}));
    ASSERT_TRUE(m.modelled());
    EXPECT_DOUBLE_EQ(m.mean_hops(0), 3.0);
    EXPECT_DOUBLE_EQ(m.mean_hops(1), 2.0 + 2.0 / 3.0);
    // A 2 x 2 grid from a corner: columns 0, 1 (mean 1/2), rows 0, 1 (mean 1/2), ports 2.
    EXPECT_DOUBLE_EQ(MeshHopLatency(mesh(2, 2, {{0, 0}})).mean_hops(0), 3.0);
}

TEST(MeshHopLatency, RoundTripInCoreCycles) {
    // The 3 x 1 row's end core: 3 hops each way, 2 mesh cycles a hop = 12 mesh cycles = 6 ns,
    // 18 cycles of a 3 GHz core; 12 of a 2 GHz one.
    const MeshHopLatency m(mesh(3, 1, {{0, 0}}));
    EXPECT_EQ(m.round_trip_cycles(0, 3000000000), 18u);
    EXPECT_EQ(m.round_trip_cycles(0, 2000000000), 12u);
}

TEST(MeshHopLatency, NoMeshNoCost) {
    TopologyDesc none; /* no /interconnect */
    EXPECT_FALSE(MeshHopLatency(none).modelled());
    EXPECT_EQ(MeshHopLatency(none).round_trip_cycles(0, 3000000000), 0u);
    // A cluster bus (one XP per cluster) has no sliced system cache across a mesh.
    TopologyDesc bus = mesh(2, 1, {{0, 0}, {1, 0}});
    bus.kind = "mtesim,cluster-bus";
    EXPECT_EQ(MeshHopLatency(bus).round_trip_cycles(1, 3000000000), 0u);
}
