// TopologyDesc: the interconnect that carries DVM messages (TLB maintenance broadcasts) between
// the cores of the inner-shareable domain, read from the board's /interconnect node
// (docs/bindings.md). The interconnect is a grid of crosspoints (XPs): a CMN-600 mesh (Arm
// CMN-600 TRM, "Mesh topology") or, for a clustered SoC, one XP per cluster. Each core of the
// physical inner-shareable domain sits at an XP; the DVM node (the HN-D's DN in CMN-600) at
// another. On a virtualised board the domain holds the host's cores, not only the guest's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtesim {

struct XpCoord {
    std::uint32_t x = 0, y = 0;    /* crosspoint column and row */
};

struct TopologyDesc {
    bool present = false;              /* the board has an /interconnect node */
    std::string path;                  /* its DT node path, for messages */
    std::string kind;                  /* its compatible: "arm,cmn-600" or "mtesim,cluster-bus" */
    std::uint64_t clock_hz = 0;        /* interconnect clock, in Hz */
    std::uint32_t hop_cycles = 0;      /* one XP-to-XP hop (router and link), in interconnect cycles */
    std::uint32_t columns = 0, rows = 0; /* the XP grid */
    XpCoord dvm_node;                  /* the XP of the node that broadcasts DVM operations */
    std::vector<XpCoord> cpu_xps;      /* the XP of each core of the inner-shareable domain; boot CPU first */
    bool virtualised = false;          /* root "mtesim,virtualised": the OS runs as a guest under stage 2 */
};

}  // namespace mtesim
