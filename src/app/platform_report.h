// PlatformReport: the human-readable description of a validated platform that `mtesim
// inspect` prints in full and `mtesim run` prints in short: CPUs, DRAM controllers, every
// data range with its tag storage, ratios, pageblocks and tag blocks, and where the tags of
// a given physical address live.
#pragma once

#include "mtesim/cpu/core_config.h"
#include "mtesim/dt/platform_desc.h"
#include "mtesim/mte/tag_layout.h"

#include <ostream>
#include <vector>

namespace mtesim {

class PlatformReport {
public:
    explicit PlatformReport(const PlatformDesc &desc);

    /// The whole memory map (inspect).
    void print_memory_map(std::ostream &out) const;
    /// One line per CPU cluster of equal clocks, and the DRAM controllers.
    void print_machine(std::ostream &out) const;
    /// Where the tags of @pa live, or what @pa is if it is not tagged data.
    void print_address(std::ostream &out, PhysAddr pa) const;
    /// The board's /interconnect, and what one kernel TLB flush costs each cpu with @cfgs (one
    /// per cpu, TlbiTiming applied; inspect passes its platform's: Platform::cpu_configs): the
    /// least and the most over the cpus. @defaults: no --config or --set was given (the text
    /// says "default settings", else "these settings").
    void print_tlb_flush(std::ostream &out, const std::vector<CoreConfig> &cfgs, bool defaults) const;

private:
    const PlatformDesc &m_desc;
    TagLayout m_layout;
};

}  // namespace mtesim
