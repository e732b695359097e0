// BootCommand: `mtesim boot --board B [--set boot.pgtable_scheme=...] [--compare-schemes]`
// simulates the boot alone and reports the linear map's tables per level, fixmap operations,
// TLBIs, bytes zeroed and written, the simulated time of the linear-map step and of the whole
// boot, host seconds and peak host memory. --compare-schemes boots twice (remap-twice and
// map-once, each in its own process: a SystemC design elaborates once) and prints the ratio.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace mtesim {

class BootCommand {
public:
    static int run(const std::vector<std::string> &args, std::ostream &out);
};

}  // namespace mtesim
