// EmbeddedFile: one file compiled into the binary by cmake/EmbedFiles.cmake (built-in boards
// and configs). Tables of them end with a null name.
#pragma once

#include <cstddef>

namespace mtesim::detail {

struct EmbeddedFile {
    const char *name;            /* path relative to its folder, without extension */
    const unsigned char *bytes;  /* followed by a NUL byte (not counted in size) */
    std::size_t size;            /* in bytes */
};

}  // namespace mtesim::detail
