// DramReplayCommand: `mtesim dram-replay --trace FILE [--preset NAME] ...` replays a plain
// memory-request trace (DRAMsim3, Ramulator or DRAMSys format) against the DRAM model alone
// and reports simulated time, bandwidth, latency, row-buffer outcomes and host speed.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class DramReplayCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
