// BoardLoader: the one entry point from a --board argument to a validated PlatformDesc.
// The argument is a built-in board name, a .dts file (compiled with dtc) or a .dtb file.
#pragma once

#include "mtesim/dt/platform_desc.h"

#include <string>

namespace mtesim {

class BoardLoader {
public:
    /// Loads, reads and validates @board. Throws ConfigError on any bad input.
    static PlatformDesc load(const std::string &board);
};

}  // namespace mtesim
