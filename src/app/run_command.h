// RunCommand: `mtesim run [--board BOARD]`, the main job. It loads and validates the board,
// builds the simulated machine from it and reports what it built. The simulation stages
// (cores, DRAM timing, kernel model, workload) join this command as their issues land; the
// command line stays the same.
#pragma once

#include "mtesim/config/config_store.h"
#include "mtesim/dt/platform_desc.h"
#include "mtesim/trace/i_event_source.h"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class RunCommand {
public:
    /// The generated workload's loads and stores per thread unless workload.accesses_per_thread says otherwise.
    static constexpr std::uint64_t kDefaultAccessesPerThread = 200000;

    /// Runs the command; returns the exit status. Throws ConfigError on bad input.
    static int run(const std::vector<std::string> &args, std::ostream &out);

    /// The run's workload: the trace at @trace, or the built-in generated workload when null.
    /// @name gets its description.
    /// workload.tcf: the generated workloads' tag-check mode.
    static TcfMode workload_tcf(ConfigStore &store);
    /// Where generated workloads live: the first memory range with tag storage (else the first).
    static const MemoryDesc &workload_memory(const PlatformDesc &desc);

    static std::unique_ptr<IEventSource> workload_for(ConfigStore &store, const PlatformDesc &desc,
                                                      const std::string *trace, std::string &name);
};

}  // namespace mtesim
