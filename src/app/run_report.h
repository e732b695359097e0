// RunReport: the short human-readable summary `mtesim run` prints from a RunResult: simulated
// time and cycles per core, memory behaviour, tag checks and faults, DRAM traffic (data and
// tag region apart), host time and simulation speed.
#pragma once

#include "platform/platform.h"

#include <ostream>

namespace mtesim {

class RunReport {
public:
    static void print(std::ostream &out, const RunResult &r, double host_seconds, std::size_t max_faults = 10);
};

}  // namespace mtesim
