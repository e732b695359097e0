// EmbeddedFile: one file compiled into the binary by cmake/EmbedFiles.cmake (built-in boards
// and configs), and the two look-ups both tables need. Tables end with a null name.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtesim::detail {

struct EmbeddedFile {
    const char *name;            /* path relative to its folder, without extension */
    const unsigned char *bytes;  /* followed by a NUL byte (not counted in size) */
    std::size_t size;            /* in bytes */
};

/// The entry of @table named @name, or nullptr.
inline const EmbeddedFile *find_embedded(const EmbeddedFile *table, const std::string &name) {
    for (const auto *f = table; f->name; ++f)
        if (name == f->name) return f;
    return nullptr;
}

/// Every name in @table, sorted.
inline std::vector<std::string> embedded_names(const EmbeddedFile *table) {
    std::vector<std::string> out;
    for (const auto *f = table; f->name; ++f) out.emplace_back(f->name);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace mtesim::detail
