// Aggregates over a PlatformDesc used by reports and the platform builder.
#include "mtesim/dt/platform_desc.h"

namespace mtesim {

std::uint64_t PlatformDesc::data_bytes() const {
    std::uint64_t total = 0;
    for (const auto &m : memories) total += m.range.size();
    return total;
}

std::uint64_t PlatformDesc::tag_storage_bytes() const {
    std::uint64_t total = 0;
    for (const auto &t : tag_storage) total += t.range.size();
    return total;
}

}  // namespace mtesim
