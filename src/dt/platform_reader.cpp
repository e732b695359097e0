// PlatformReader: one pass over the tree. Memory nodes are read first so that tag-storage
// nodes can resolve their phandle to an index into PlatformDesc::memories.
#include "mtesim/dt/platform_reader.h"

#include "mtesim/common/config_error.h"
#include "mtesim/cpu/core_preset.h"
#include "mtesim/dt/topology_reader.h"
#include "mtesim/kernel/block_device_preset.h"

#include <algorithm>

namespace mtesim {

namespace {

constexpr const char *kTagStorageCompatible = "arm,mte-tag-storage";
constexpr const char *kDramControllerCompatible = "mtesim,dram-controller";
constexpr const char *kBlockDevicesCompatible = "mtesim,block-devices";

bool is_device_type(const FdtBlob &blob, int node, const char *type) {
    if (!blob.has_property(node, "device_type")) return false;
    auto v = blob.string_property(node, "device_type");
    return v && *v == type;
}

}  // namespace

PlatformDesc PlatformReader::read(const FdtBlob &blob) {
    PlatformDesc desc;
    desc.source = blob.source();
    desc.model = blob.string_property(blob.root(), "model").value_or("");
    read_cpus(blob, desc);
    read_memories(blob, desc);
    for (int node : blob.all_nodes()) {
        if (blob.stringlist_contains(node, "compatible", kTagStorageCompatible))
            read_tag_storage(blob, node, desc);
        else if (blob.stringlist_contains(node, "compatible", kDramControllerCompatible))
            read_dram_controller(blob, node, desc);
        else if (blob.stringlist_contains(node, "compatible", kBlockDevicesCompatible))
            read_block_devices(blob, node, desc);
    }
    TopologyReader::read(blob, desc);
    return desc;
}

void PlatformReader::read_cpus(const FdtBlob &blob, PlatformDesc &desc) {
    int cpus = blob.node_at("/cpus");
    if (cpus < 0) throw ConfigError(blob.source() + ": /: missing node /cpus, expected one with cpu@N children");
    for (int node : blob.children(cpus)) {
        if (!is_device_type(blob, node, "cpu")) continue;
        CpuDesc cpu;
        cpu.path = blob.path(node);
        auto id = blob.u32_property(node, "reg");
        if (!id) throw ConfigError(blob.where(node) + ": missing property \"reg\", expected the CPU number");
        cpu.id = *id;
        auto clk = blob.u64_property(node, "clock-frequency");
        if (!clk || *clk == 0)
            throw ConfigError(blob.where(node) + ": missing or zero \"clock-frequency\", expected the core clock in Hz");
        cpu.clock_hz = *clk;
        cpu.mte_version = blob.u32_property(node, "mtesim,mte-version").value_or(3);
        cpu.compatible = blob.first_string(node, "compatible").value_or("");
        // A compatible that names an Arm core must have a core preset (src/cpu/core_preset.cpp):
        // a silent fall-back to the built-in defaults would time the wrong core.
        if (CorePreset::names_a_core(cpu.compatible) && !CorePreset::find(cpu.compatible)) {
            std::string names;
            for (const auto &n : CorePreset::names()) names += (names.empty() ? "" : ", ") + n;
            throw ConfigError(blob.where(node) + ": compatible = \"" + cpu.compatible +
                              "\", no core preset for this core, expected one of: " + names);
        }
        if (cpu.mte_version != 0 && cpu.mte_version != 2 && cpu.mte_version != 3)
            throw ConfigError(blob.where(node) + ": mtesim,mte-version = <" + std::to_string(cpu.mte_version) +
                              ">, expected 0 (none), 2 (FEAT_MTE2) or 3 (FEAT_MTE3)");
        if (blob.has_property(node, "next-level-cache")) cpu.l2_cache = read_cpu_cache(blob, node, desc);
        if (blob.has_property(node, "capacity-dmips-mhz")) {
            const auto cap = blob.u32_property(node, "capacity-dmips-mhz");
            if (!cap || *cap == 0)
                throw ConfigError(blob.where(node) + ": capacity-dmips-mhz, expected one cell above 0 (the core's "
                                  "relative performance per MHz, Documentation/devicetree/bindings/cpu/cpu-capacity.txt)");
            cpu.capacity_dmips_mhz = *cap;
        }
        desc.cpus.push_back(cpu);
    }
    if (desc.cpus.empty())
        throw ConfigError(blob.source() + ": /cpus: no cpu nodes, expected at least one with device_type = \"cpu\"");
    // drivers/base/arch_topology.c (topology_parse_cpu_capacity) ignores every cpu's value when one
    // lacks it; a board that sets it on some cpus only is a mistake, not a choice: say so.
    const auto given = std::count_if(desc.cpus.begin(), desc.cpus.end(), [](const CpuDesc &c) { return c.capacity_dmips_mhz != 0; });
    if (given != 0 && static_cast<std::size_t>(given) != desc.cpus.size())
        for (const CpuDesc &c : desc.cpus)
            if (c.capacity_dmips_mhz == 0)
                throw ConfigError(blob.source() + ": " + c.path + ": missing property \"capacity-dmips-mhz\", expected it on "
                                  "every cpu once one has it (Linux would ignore all of them)");
}

/*
 * A cpu's next-level-cache names its L2 (a cache node with cache-level 2), or the LLC (level 3)
 * when its L2 is left to the core preset; an L2 node's next-level-cache names the LLC. Geometry
 * is optional: cache-size, cache-sets and cache-line-size (or cache-block-size) set l2.size,
 * l2.ways (size / (sets x line)) and l2.line for an L2, llc.* for the LLC, over the preset's and
 * default.ini's values. The model has one LLC shared by every cpu: one level-3 node at most.
 */
namespace {

int next_level_node(const FdtBlob &blob, int from, const char *expected) {
    const auto ph = blob.u32_property(from, "next-level-cache");
    const int node = ph ? blob.node_by_phandle(*ph) : -1;
    if (node < 0)
        throw ConfigError(blob.where(from) + ": next-level-cache = <" + hex(ph.value_or(0)) +
                          "> is a dangling phandle, expected a phandle to " + expected);
    return node;
}

std::optional<std::uint32_t> cache_level(const FdtBlob &blob, int node) { return blob.u32_property(node, "cache-level"); }

std::string level_text(const std::optional<std::uint32_t> &level) {
    return level ? "<" + std::to_string(*level) + ">" : "(missing)";
}

}  // namespace

CacheNodeDesc PlatformReader::read_geometry(const FdtBlob &blob, int node) {
    CacheNodeDesc c;
    c.path = blob.path(node);
    c.size_bytes = blob.u64_property(node, "cache-size").value_or(0);
    if (blob.has_property(node, "cache-size") && c.size_bytes == 0)
        throw ConfigError(blob.where(node) + ": cache-size = <0>, expected the cache's capacity in bytes");
    c.sets = blob.u32_property(node, "cache-sets").value_or(0);
    if (blob.has_property(node, "cache-sets") && (c.sets == 0 || !c.size_bytes))
        throw ConfigError(blob.where(node) + ": cache-sets " + (c.sets ? "without cache-size" : "= <0>") +
                          ", expected a number of sets with the cache-size it divides");
    const char *line_prop = blob.has_property(node, "cache-line-size") ? "cache-line-size" : "cache-block-size";
    c.line_bytes = blob.u32_property(node, line_prop).value_or(0);
    if (blob.has_property(node, line_prop) && c.line_bytes == 0)
        throw ConfigError(blob.where(node) + ": " + line_prop + " = <0>, expected the line size in bytes");
    return c;
}

void PlatformReader::read_llc(const FdtBlob &blob, int node, int from, PlatformDesc &desc) {
    const std::string path = blob.path(node);
    if (desc.llc) {
        if (desc.llc->path != path)
            throw ConfigError(blob.where(from) + ": next-level-cache names " + path + ", a second level-3 cache node (the first is " +
                              desc.llc->path + "), expected one: the model's LLC is shared by every cpu");
        return;
    }
    if (blob.has_property(node, "next-level-cache"))
        throw ConfigError(blob.where(node) + ": next-level-cache below the LLC, expected none: the LLC's misses go to the DRAM controllers");
    desc.llc = read_geometry(blob, node);
}

int PlatformReader::read_l2_cache(const FdtBlob &blob, int node, PlatformDesc &desc) {
    const std::string path = blob.path(node);
    for (std::size_t i = 0; i < desc.l2_caches.size(); ++i)
        if (desc.l2_caches[i].path == path) return static_cast<int>(i);
    desc.l2_caches.push_back(read_geometry(blob, node));
    if (blob.has_property(node, "next-level-cache")) {
        const int below = next_level_node(blob, node, "the level-3 cache node below the L2 (the LLC)");
        const auto level = cache_level(blob, below);
        if (!level || *level != 3)
            throw ConfigError(blob.where(below) + ": cache-level = " + level_text(level) +
                              ", expected <3>: an L2 node's next-level-cache names the LLC");
        read_llc(blob, below, node, desc);
    }
    return static_cast<int>(desc.l2_caches.size() - 1);
}

int PlatformReader::read_cpu_cache(const FdtBlob &blob, int cpu_node, PlatformDesc &desc) {
    const int node = next_level_node(blob, cpu_node, "a level-2 or level-3 cache node");
    const auto level = cache_level(blob, node);
    if (level && *level == 2) return read_l2_cache(blob, node, desc);
    if (level && *level == 3) {
        read_llc(blob, node, cpu_node, desc);
        return -1;
    }
    throw ConfigError(blob.where(node) + ": cache-level = " + level_text(level) +
                      ", expected <2> (the cpu's L2) or <3> (the LLC, the cpu's L2 left to its core preset)");
}

void PlatformReader::read_memories(const FdtBlob &blob, PlatformDesc &desc) {
    for (int node : blob.children(blob.root())) {
        if (!is_device_type(blob, node, "memory")) continue;
        for (const AddrRange &r : blob.reg(node))
            desc.memories.push_back(MemoryDesc{blob.path(node), r, blob.phandle(node)});
    }
    if (desc.memories.empty())
        throw ConfigError(blob.source() + ": /: no memory nodes, expected at least one with device_type = \"memory\"");
}

void PlatformReader::read_tag_storage(const FdtBlob &blob, int node, PlatformDesc &desc) {
    TagStorageDesc ts;
    ts.path = blob.path(node);
    int par = blob.parent(node);
    ts.form = (par >= 0 && blob.path(par) == "/reserved-memory") ? TagBindingForm::v3 : TagBindingForm::v1;

    auto ranges = blob.reg(node);
    if (ranges.size() != 1)
        throw ConfigError(blob.where(node) + ": reg has " + std::to_string(ranges.size()) +
                          " ranges, expected exactly one tag-storage range");
    ts.range = ranges.front();

    auto block = blob.u32_property(node, "block-size");
    if (!block) throw ConfigError(blob.where(node) + ": missing property \"block-size\", expected the tag block size in bytes");
    ts.block_size = *block;

    // v3 names the covered memory "tagged-memory"; v1 called it "memory". Accept either.
    const char *prop = blob.has_property(node, "tagged-memory") ? "tagged-memory" : "memory";
    auto ph = blob.u32_property(node, prop);
    if (!ph)
        throw ConfigError(blob.where(node) + ": missing property \"tagged-memory\" (v1: \"memory\"), "
                                             "expected a phandle to the memory node whose tags this region holds");
    int mem = blob.node_by_phandle(*ph);
    if (mem < 0)
        throw ConfigError(blob.where(node) + ": " + prop + " = <" + hex(*ph) + "> is a dangling phandle, "
                                             "expected a phandle to a memory node");
    if (!is_device_type(blob, mem, "memory"))
        throw ConfigError(blob.where(node) + ": " + prop + " points to " + blob.path(mem) +
                          ", expected a node with device_type = \"memory\"");
    std::size_t found = desc.memories.size(), count = 0;
    for (std::size_t i = 0; i < desc.memories.size(); ++i) {
        if (desc.memories[i].path == blob.path(mem)) {
            if (count == 0) found = i;
            ++count;
        }
    }
    if (count != 1)
        throw ConfigError(blob.where(node) + ": " + prop + " points to " + blob.path(mem) + " with " +
                          std::to_string(count) + " reg ranges, expected a memory node with exactly one");
    ts.memory_index = found;

    // v1 always handed tag storage to the allocator; v3 does so only when "reusable" is set.
    ts.reusable = ts.form == TagBindingForm::v1 || blob.has_property(node, "reusable");
    desc.tag_storage.push_back(ts);
}

void PlatformReader::read_dram_controller(const FdtBlob &blob, int node, PlatformDesc &desc) {
    DramControllerDesc dc;
    dc.path = blob.path(node);
    dc.ranges = blob.reg(node);
    auto timing = blob.string_property(node, "mtesim,timing");
    if (!timing || timing->empty())
        throw ConfigError(blob.where(node) + ": missing property \"mtesim,timing\", "
                                             "expected the name of a preset in configs/dram/ (e.g. \"ddr4-3200\")");
    dc.timing_preset = *timing;
    desc.dram_controllers.push_back(dc);
}

/*
 * The board's block devices (docs/bindings.md, "Block devices"): mtesim,storage and mtesim,swap
 * each name a preset of configs/<role>/. The names are checked here, as a cpu's core preset is,
 * so a wrong one is a line naming the DT file and node; the platform lays the presets into the
 * run's settings (BlockDevicePreset::apply).
 */
void PlatformReader::read_block_devices(const FdtBlob &blob, int node, PlatformDesc &desc) {
    if (!desc.block_devices.path.empty())
        throw ConfigError(blob.where(node) + ": a second \"" + std::string(kBlockDevicesCompatible) + "\" node (the first is " +
                          desc.block_devices.path + "), expected at most one");
    BlockDevicesDesc bd;
    bd.path = blob.path(node);
    const struct {
        const char *prop, *role;
        std::string &preset;
    } roles[] = {{"mtesim,storage", "storage", bd.storage_preset}, {"mtesim,swap", "swap", bd.swap_preset}};
    for (const auto &r : roles) {
        if (!blob.has_property(node, r.prop)) continue;
        auto v = blob.string_property(node, r.prop);
        if (!v || v->empty())
            throw ConfigError(blob.where(node) + ": property \"" + r.prop + "\" is empty, expected the name of a preset in configs/" +
                              r.role + "/");
        const auto known = BlockDevicePreset::names(r.role);
        if (std::find(known.begin(), known.end(), *v) == known.end()) {
            std::string list;
            for (const auto &n : known) list += (list.empty() ? "" : ", ") + n;
            throw ConfigError(blob.where(node) + ": " + r.prop + " = \"" + *v + "\", no such preset in configs/" + r.role +
                              "/, expected one of: " + list);
        }
        r.preset = *v;
    }
    if (bd.storage_preset.empty() && bd.swap_preset.empty())
        throw ConfigError(blob.where(node) + ": neither \"mtesim,storage\" nor \"mtesim,swap\", expected at least one");
    desc.block_devices = bd;
}

}  // namespace mtesim
