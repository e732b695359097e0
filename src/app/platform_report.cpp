// PlatformReport: formatting only; every number comes from PlatformDesc and TagLayout.
#include "app/platform_report.h"

#include <cstdio>

namespace mtesim {

namespace {

std::string ghz(std::uint64_t hz) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GHz", static_cast<double>(hz) / 1e9);
    return buf;
}

std::string mte_name(std::uint32_t v) {
    switch (v) {
    case 0: return "no MTE";
    case 2: return "FEAT_MTE2";
    default: return "FEAT_MTE3 (asymmetric mode)";
    }
}

}  // namespace

PlatformReport::PlatformReport(const PlatformDesc &desc) : m_desc(desc), m_layout(desc) {}

void PlatformReport::print_machine(std::ostream &out) const {
    out << "board     " << m_desc.source << (m_desc.model.empty() ? "" : ": " + m_desc.model) << "\n";
    out << "cpus      " << m_desc.cpus.size() << ", " << mte_name(m_desc.cpus.front().mte_version) << "\n";
    for (std::size_t i = 0; i < m_desc.cpus.size();) {
        std::size_t j = i;
        while (j < m_desc.cpus.size() && m_desc.cpus[j].clock_hz == m_desc.cpus[i].clock_hz) ++j;
        out << "          " << m_desc.cpus[i].path << (j - i > 1 ? " .. " + m_desc.cpus[j - 1].path : "")
            << ": " << (j - i) << " x " << ghz(m_desc.cpus[i].clock_hz) << "\n";
        i = j;
    }
    // The L2 nodes the cpus name (next-level-cache): which cpus share each, and the geometry
    // the node gives (the rest comes from the core preset at run time).
    for (std::size_t n = 0; n < m_desc.l2_caches.size(); ++n) {
        const CacheNodeDesc &l2 = m_desc.l2_caches[n];
        std::string names;
        for (const auto &c : m_desc.cpus)
            if (c.l2_cache == static_cast<int>(n)) names += (names.empty() ? "" : ", ") + c.path.substr(c.path.rfind('/') + 1);
        out << "l2        " << l2.path << ": " << names << (names.find(',') == std::string::npos ? " (private)" : " (shared)");
        if (l2.size_bytes) out << ", " << human_size(l2.size_bytes);
        if (l2.sets) out << ", " << l2.sets << " sets";
        out << "\n";
    }
    if (const auto &llc = m_desc.llc) {
        out << "llc       " << llc->path << ": the board's LLC";
        if (llc->size_bytes) out << ", " << human_size(llc->size_bytes);
        if (llc->sets) out << ", " << llc->sets << " sets";
        out << "\n";
    }
    for (const auto &dc : m_desc.dram_controllers) {
        out << "dram      " << dc.path << ", timing preset " << dc.timing_preset << "\n";
        for (const auto &r : dc.ranges) out << "          " << r.to_string() << "  " << human_size(r.size()) << "\n";
    }
}

/*
 * The interconnect line (when the board has one), then the flush line: one page's flush
 * (flush_tlb_page: TLBI, DSB ISH, ISB; CoreConfig::page_flush_cycles) and each further TLBI
 * of a batched or range flush, as the least and the most over the cpus with the cpus that have
 * them, in their own cycles and in ns.
 */
void PlatformReport::print_tlb_flush(std::ostream &out, const std::vector<CoreConfig> &cfgs, bool defaults) const {
    const TopologyDesc &t = m_desc.topology;
    if (t.present)
        out << "interconnect " << t.path << ": " << t.kind << ", " << t.columns << " x " << t.rows << " crosspoints, "
            << ghz(t.clock_hz) << ", " << t.hop_cycles << " cycles a hop, DVM node at (" << t.dvm_node.x << ", " << t.dvm_node.y
            << "), " << t.cpu_xps.size() << " cores in the DVM domain" << (t.virtualised ? " (the host's)" : "") << "\n";
    std::size_t lo = 0, hi = 0;
    for (std::size_t i = 1; i < cfgs.size(); ++i) {
        if (cfgs[i].page_flush_cycles() < cfgs[lo].page_flush_cycles()) lo = i;
        if (cfgs[i].page_flush_cycles() > cfgs[hi].page_flush_cycles()) hi = i;
    }
    const auto ns = [&](std::size_t i, std::uint64_t cycles) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f ns", static_cast<double>(cycles) * 1e9 / static_cast<double>(m_desc.cpus[i].clock_hz));
        return std::string(buf);
    };
    const auto name = [&](std::size_t i) { return m_desc.cpus[i].path.substr(m_desc.cpus[i].path.rfind('/') + 1); };
    const auto one = [&](std::size_t i) {
        return std::to_string(cfgs[i].page_flush_cycles()) + " cycles (" + ns(i, cfgs[i].page_flush_cycles()) + ", " + name(i) +
               "), each further TLBI " + std::to_string(cfgs[i].tlbi_page_cycles) + " (" + ns(i, cfgs[i].tlbi_page_cycles) + ")";
    };
    out << "tlb flush one page " << one(lo);
    if (cfgs[hi].page_flush_cycles() != cfgs[lo].page_flush_cycles()) out << "\n          to " << one(hi);
    const bool dvm = cfgs.front().dvm_issue_ps > 0;
    const std::string with = defaults ? "default settings: " : "these settings: ";
    out << "\n          " << (dvm ? with + "the DVM broadcast from each cpu (kernel.tlbi_timing); the DVM node sends a round's snoops in " +
                                     std::to_string(static_cast<long long>(cfgs.front().dvm_issue_ps / 1000.0 + 0.5)) + " ns"
                               : with + "kernel.tlbi_cycles + dsb_cycles + isb_cycles" +
                                     (t.present ? " (kernel.tlbi_timing = fixed)" : " (no /interconnect)"))
        << "\n";
}

void PlatformReport::print_memory_map(std::ostream &out) const {
    out << "memory map (pageblock " << human_size(kPageblockSize) << ", page " << human_size(kPageSize) << ")\n";
    for (std::size_t i = 0; i < m_desc.memories.size(); ++i) {
        const MemoryDesc &m = m_desc.memories[i];
        out << "  data  " << m.range.to_string() << "  " << human_size(m.range.size()) << "  "
            << m.range.size() / kPageblockSize << " pageblocks  " << m.path << "\n";
        const TagStorageDesc *ts = nullptr;
        for (const auto &t : m_desc.tag_storage)
            if (t.memory_index == i) ts = &t;
        if (!ts) {
            out << "        untagged: no tag storage covers this range\n";
            continue;
        }
        const std::uint64_t blocks = ts->range.size() / ts->block_size;
        out << "  tags  " << ts->range.to_string() << "  " << human_size(ts->range.size()) << "  "
            << ts->range.size() / kPageblockSize << " pageblocks  " << ts->path << "\n"
            << "        ratio 1/" << m.range.size() / ts->range.size() << ", " << blocks << " tag blocks of "
            << human_size(ts->block_size) << " (each covers " << human_size(ts->block_size * kTagRatio)
            << " of data), " << (ts->reusable ? "reusable (MIGRATE_CMA pool)" : "static carve-out (not reusable)")
            << ", binding " << (ts->form == TagBindingForm::v1 ? "v1" : "v3") << "\n";
    }
    const std::uint64_t data = m_desc.data_bytes(), tags = m_desc.tag_storage_bytes();
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.2f%%", data + tags ? 100.0 * static_cast<double>(tags) / static_cast<double>(data + tags) : 0.0);
    out << "total   data " << human_size(data) << ", tag storage " << human_size(tags) << " (" << pct
        << " of described memory) in " << m_desc.tag_storage.size() << " region(s)\n";
}

void PlatformReport::print_address(std::ostream &out, PhysAddr pa) const {
    out << hex(pa.value()) << ": ";
    if (auto loc = m_layout.locate(pa)) {
        const TagRegion &r = m_layout.regions()[loc->region];
        const std::uint64_t granule = (pa - r.data.base()) / kGranuleSize;
        out << "data in " << r.data_path << ", granule " << hex(granule) << "\n"
            << "    tag byte   " << hex(loc->byte.value()) << " (" << (loc->nibble ? "high" : "low") << " nibble)\n"
            << "    tag block  " << loc->block << " at " << hex(loc->block_base.value()) << " (pfn "
            << hex(pfn_of(phys_of(loc->block_base)).value()) << "), covering data "
            << r.data_covered_by_block(loc->block).to_string() << "\n";
        return;
    }
    if (auto t = m_layout.tag_region_of(pa)) {
        const TagRegion &r = m_layout.regions()[*t];
        const std::uint64_t block = (pa - r.tags.base()) / r.block_size;
        out << "tag storage " << r.tag_path << ", tag block " << block << ", holding the tags of data "
            << r.data_covered_by_block(block).to_string() << " (" << r.data_path << ")\n";
        return;
    }
    for (const auto &m : m_desc.memories) {
        if (m.range.contains(pa)) {
            out << "data in " << m.path << ", untagged (no tag storage covers it)\n";
            return;
        }
    }
    for (const auto &dc : m_desc.dram_controllers)
        for (const auto &r : dc.ranges)
            if (r.contains(pa)) {
                out << "DRAM of " << dc.path << " not described by any memory or tag-storage node\n";
                return;
            }
    out << "not in any DRAM range (an access here is a bus error)\n";
}

}  // namespace mtesim
