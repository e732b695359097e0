// BuiltInBoards: the DTBs compiled from dts/*.dts at build time and embedded in the binary
// (cmake/EmbedFiles.cmake), so a board can be named without a path from any directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtesim {

class BuiltInBoards {
public:
    /// The board `mtesim run` uses when --board is not given.
    static constexpr const char *kDefault = "virt-4g-mte";

    /// The DTB bytes of built-in board @name ("virt-4g-mte"), or nullopt.
    static std::optional<std::vector<std::uint8_t>> find(const std::string &name);
    /// Names of all built-in boards, sorted.
    static std::vector<std::string> names();
};

}  // namespace mtesim
