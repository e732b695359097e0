// PlatformReader: turns a checked FdtBlob into a PlatformDesc. It reads the properties listed
// in docs/bindings.md and resolves phandles; each missing, malformed or dangling property is
// a ConfigError naming the node. Layout rules (ratios, alignment, overlap...) are the
// PlatformValidator's job, so each rule has exactly one place and one message.
#pragma once

#include "mtesim/dt/fdt_blob.h"
#include "mtesim/dt/platform_desc.h"

namespace mtesim {

class PlatformReader {
public:
    /// Reads the machine described by @blob. Throws ConfigError on bad input.
    static PlatformDesc read(const FdtBlob &blob);

private:
    static void read_cpus(const FdtBlob &blob, PlatformDesc &desc);
    /// The cache node cpu @cpu_node names in next-level-cache: an L2 (returns its index in
    /// desc.l2_caches) or the LLC (desc.llc; returns -1).
    static int read_cpu_cache(const FdtBlob &blob, int cpu_node, PlatformDesc &desc);
    /// The L2 node @node, and the LLC node below it if it names one: its index in desc.l2_caches.
    static int read_l2_cache(const FdtBlob &blob, int node, PlatformDesc &desc);
    /// The level-3 cache node @node (the LLC), named by a cpu or an L2 node @from.
    static void read_llc(const FdtBlob &blob, int node, int from, PlatformDesc &desc);
    /// A cache node's cache-size, cache-sets and cache-line-size (or cache-block-size).
    static CacheNodeDesc read_geometry(const FdtBlob &blob, int node);
    static void read_memories(const FdtBlob &blob, PlatformDesc &desc);
    static void read_tag_storage(const FdtBlob &blob, int node, PlatformDesc &desc);
    static void read_dram_controller(const FdtBlob &blob, int node, PlatformDesc &desc);
    static void read_block_devices(const FdtBlob &blob, int node, PlatformDesc &desc);
};

}  // namespace mtesim
