// DtcCompiler: compiles a .dts file into DTB bytes by running the device-tree-compiler (dtc)
// as a child process, the way the build compiles dts/*.dts. dtc's first error line (which
// carries file:line.column) becomes the ConfigError message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtesim {

class DtcCompiler {
public:
    /// Compiles @dts_path; throws ConfigError on a syntax error or if dtc cannot run.
    static std::vector<std::uint8_t> compile(const std::string &dts_path);
};

}  // namespace mtesim
