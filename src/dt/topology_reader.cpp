// TopologyReader: see the header. Every property of /interconnect is required once the node
// exists: a partial topology would silently fall back to a different cost model.
#include "mtesim/dt/topology_reader.h"

#include "mtesim/common/config_error.h"

namespace mtesim {

namespace {

std::vector<std::uint32_t> cells(const FdtBlob &blob, int node, const char *prop, const char *expected) {
    auto v = blob.u32_array_property(node, prop);
    if (!v) throw ConfigError(blob.where(node) + ": missing property \"" + prop + "\", expected " + expected);
    return *v;
}

XpCoord xp(const FdtBlob &blob, int node, const char *prop, std::uint32_t x, std::uint32_t y, const TopologyDesc &t) {
    if (x >= t.columns || y >= t.rows)
        throw ConfigError(blob.where(node) + ": " + prop + " names crosspoint (" + std::to_string(x) + ", " +
                          std::to_string(y) + "), outside the " + std::to_string(t.columns) + " x " +
                          std::to_string(t.rows) + " mesh");
    return XpCoord{x, y};
}

}  // namespace

void TopologyReader::read(const FdtBlob &blob, PlatformDesc &desc) {
    TopologyDesc &t = desc.topology;
    t.virtualised = blob.has_property(blob.root(), "mtesim,virtualised");
    const int node = blob.node_at("/interconnect");
    if (node < 0) {
        if (t.virtualised)
            throw ConfigError(blob.source() + ": /: \"mtesim,virtualised\" without an /interconnect node, expected the "
                              "host's interconnect (its DVM domain holds the host's cores)");
        return;
    }
    t.present = true;
    t.path = blob.path(node);
    for (const char *kind : {"arm,cmn-600", "mtesim,cluster-bus"})
        if (blob.stringlist_contains(node, "compatible", kind)) t.kind = kind;
    if (t.kind.empty())
        throw ConfigError(blob.where(node) + ": compatible, expected \"arm,cmn-600\" or \"mtesim,cluster-bus\"");
    auto clk = blob.u64_property(node, "clock-frequency");
    if (!clk || *clk == 0)
        throw ConfigError(blob.where(node) + ": missing or zero \"clock-frequency\", expected the interconnect clock in Hz");
    t.clock_hz = *clk;
    auto hop = blob.u32_property(node, "mtesim,hop-cycles");
    if (!hop || *hop == 0)
        throw ConfigError(blob.where(node) + ": missing or zero \"mtesim,hop-cycles\", expected the cycles of one "
                          "crosspoint hop");
    t.hop_cycles = *hop;
    const auto mesh = cells(blob, node, "mtesim,mesh", "<columns rows>");
    if (mesh.size() != 2 || mesh[0] == 0 || mesh[1] == 0 || mesh[0] > 64 || mesh[1] > 64)
        throw ConfigError(blob.where(node) + ": mtesim,mesh, expected <columns rows>, each 1 to 64");
    t.columns = mesh[0];
    t.rows = mesh[1];
    const auto dn = cells(blob, node, "mtesim,dvm-node", "<x y> of the DVM node's crosspoint");
    if (dn.size() != 2) throw ConfigError(blob.where(node) + ": mtesim,dvm-node, expected <x y>");
    t.dvm_node = xp(blob, node, "mtesim,dvm-node", dn[0], dn[1], t);
    const auto cx = cells(blob, node, "mtesim,cpu-xps", "<x y> per core of the inner-shareable domain");
    if (cx.empty() || cx.size() % 2 != 0)
        throw ConfigError(blob.where(node) + ": mtesim,cpu-xps has " + std::to_string(cx.size()) +
                          " cells, expected <x y> pairs, one per core");
    for (std::size_t i = 0; i < cx.size(); i += 2) t.cpu_xps.push_back(xp(blob, node, "mtesim,cpu-xps", cx[i], cx[i + 1], t));
    const std::size_t cores = t.cpu_xps.size(), cpus = desc.cpus.size();
    if (!t.virtualised && cores != cpus)
        throw ConfigError(blob.where(node) + ": mtesim,cpu-xps places " + std::to_string(cores) + " cores, but /cpus has " +
                          std::to_string(cpus) + ", expected one crosspoint per cpu on a bare-metal board");
    if (t.virtualised && cores < cpus)
        throw ConfigError(blob.where(node) + ": mtesim,cpu-xps places " + std::to_string(cores) +
                          " host cores, fewer than the guest's " + std::to_string(cpus) +
                          " cpus, expected the host to have at least as many cores as the guest has vCPUs");
}

}  // namespace mtesim
