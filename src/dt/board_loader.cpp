// BoardLoader: resolve the argument, get DTB bytes, check them (FdtBlob), read them
// (PlatformReader), validate (PlatformValidator).
#include "mtesim/dt/board_loader.h"

#include "mtesim/common/config_error.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/dt/dtc_compiler.h"
#include "mtesim/dt/fdt_blob.h"
#include "mtesim/dt/platform_reader.h"
#include "mtesim/dt/platform_validator.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace mtesim {

namespace {

constexpr std::uint64_t kMaxDtbBytes = 64ull << 20; /* in bytes: far above any real DTB */

bool ends_with(const std::string &s, const std::string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string board_list() {
    std::string out;
    for (const auto &n : BuiltInBoards::names()) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::vector<std::uint8_t> read_dtb(const std::string &path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw ConfigError(path + ": no such board file, expected a .dts or .dtb file or a built-in board (" +
                          board_list() + ")");
    auto size = std::filesystem::file_size(path, ec);
    if (ec || size > kMaxDtbBytes)
        throw ConfigError(path + ": " + (ec ? ec.message() : std::to_string(size) + " bytes") +
                          ", expected a device tree blob of at most " + std::to_string(kMaxDtbBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open for reading");
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

PlatformDesc BoardLoader::load(const std::string &board) {
    std::vector<std::uint8_t> bytes;
    std::string source = board;
    if (auto built_in = BuiltInBoards::find(board)) {
        bytes = std::move(*built_in);
        source = board + " (built-in)";
    } else if (ends_with(board, ".dts")) {
        bytes = DtcCompiler::compile(board);
    } else {
        bytes = read_dtb(board);
    }
    FdtBlob blob(std::move(bytes), source);
    PlatformDesc desc = PlatformReader::read(blob);
    PlatformValidator::validate(desc);
    return desc;
}

}  // namespace mtesim
