// PlatformDesc: the machine as the device tree describes it, read and validated once
// (PlatformReader + PlatformValidator) and then handed to the platform builder. Models never
// read the DT themselves. Every field keeps the DT node path it came from, so later errors
// and SystemC object names can match the DTS (docs/bindings.md lists every property read).
#pragma once

#include "mtesim/common/addr_range.h"
#include "mtesim/dt/topology_desc.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

/// One CPU node under /cpus.
struct CpuDesc {
    std::string path;              /* DT node path, e.g. "/cpus/cpu@0" */
    std::uint32_t id = 0;          /* the node's reg (MPIDR affinity) */
    std::uint64_t clock_hz = 0;    /* clock-frequency, in Hz */
    std::uint32_t mte_version = 0; /* 0: no MTE, 2: FEAT_MTE2, 3: FEAT_MTE3 (asymmetric mode) */
    std::string compatible;        /* first compatible string, e.g. "arm,neoverse-n1": picks the core preset */
    int l2_cache = -1;             /* next-level-cache: index into PlatformDesc::l2_caches; -1: none named */
    std::uint32_t capacity_dmips_mhz = 0; /* capacity-dmips-mhz (cpu-capacity binding); 0: not given */
};

/// A cache node the cpus reach through next-level-cache (devicetree specification v0.4, 3.8
/// "Multi-level and Shared Cache Nodes"). Level 2: named by several cpus, the L2 their complex
/// or cluster shares; by one, that cpu's private L2. Level 3: the board's LLC. Geometry left out
/// (0) comes from the configuration (l2.* from the core preset, llc.* from configs/default.ini).
struct CacheNodeDesc {
    std::string path;
    std::uint64_t size_bytes = 0;  /* cache-size; 0: not given */
    std::uint32_t sets = 0;        /* cache-sets; 0: not given */
    std::uint32_t line_bytes = 0;  /* cache-line-size (or cache-block-size); 0: not given */
};

/// One /memory node range: data memory that may be tagged.
struct MemoryDesc {
    std::string path;
    AddrRange range;
    std::uint32_t phandle = 0;     /* 0 when the node has none */
};

/// The binding form a tag-storage node was written in (BACKGROUND.md section 2).
enum class TagBindingForm {
    v1, /* top-level node, "memory" phandle, always reusable */
    v3, /* under /reserved-memory, "tagged-memory" phandle, reusable iff "reusable" */
};

/// One arm,mte-tag-storage node: the tags of exactly one memory range.
struct TagStorageDesc {
    std::string path;
    AddrRange range;                   /* the tag bytes, 1/32 of the covered memory */
    std::uint64_t block_size = 0;      /* in bytes: the unit of tag reservation */
    std::size_t memory_index = 0;      /* index into PlatformDesc::memories */
    bool reusable = true;              /* may hold data while not holding tags */
    TagBindingForm form = TagBindingForm::v3;
};

/// A DRAM controller node (compatible "mtesim,dram-controller"): the addressable DRAM.
struct DramControllerDesc {
    std::string path;
    std::vector<AddrRange> ranges;     /* the physical ranges it serves */
    std::string timing_preset;         /* name of configs/dram/<name>.ini */
};

/// The board's block devices (a node with compatible "mtesim,block-devices", at most one): the
/// presets that set the [storage] and [swap] keys. Empty names: configs/default.ini's devices.
struct BlockDevicesDesc {
    std::string path;                  /* DT node path; empty when the board has no such node */
    std::string storage_preset;        /* mtesim,storage: name of configs/storage/<name>.ini */
    std::string swap_preset;           /* mtesim,swap: name of configs/swap/<name>.ini */
};

struct PlatformDesc {
    std::string source;                /* file the DT came from, for messages */
    std::string model;                 /* the root "model" property */
    std::vector<CpuDesc> cpus;
    std::vector<CacheNodeDesc> l2_caches; /* the level-2 cache nodes the cpus name, in first-named order */
    std::optional<CacheNodeDesc> llc;     /* the level-3 cache node the cpus or their L2 nodes name: the LLC */
    std::vector<MemoryDesc> memories;
    std::vector<TagStorageDesc> tag_storage;
    std::vector<DramControllerDesc> dram_controllers;
    TopologyDesc topology;             /* the DVM interconnect (/interconnect), if the board has one */
    BlockDevicesDesc block_devices;    /* the page cache's disk and the swap device, if the board names them */

    /// Sum of all memory ranges, in bytes (tag storage not included).
    std::uint64_t data_bytes() const;
    /// Sum of all tag-storage ranges, in bytes.
    std::uint64_t tag_storage_bytes() const;
};

}  // namespace mtesim
