// TopologyReader: reads the optional /interconnect node and the root "mtesim,virtualised"
// property into a TopologyDesc and checks that the mesh is consistent with the board's cpus.
// A node that is present but cannot be read, or a mesh that contradicts /cpus, is a
// ConfigError naming the node (docs/bindings.md, "interconnect").
#pragma once

#include "mtesim/dt/fdt_blob.h"
#include "mtesim/dt/platform_desc.h"

namespace mtesim {

class TopologyReader {
public:
    /// Fills @desc.topology from @blob; @desc.cpus must already be read.
    static void read(const FdtBlob &blob, PlatformDesc &desc);
};

}  // namespace mtesim
