// Formatting of address ranges for messages and reports.
#include "mtesim/common/addr_range.h"

namespace mtesim {

std::string AddrRange::to_string() const {
    return "[" + hex(m_base.value()) + ", " + hex(m_base.value() + m_size) + ")";
}

}  // namespace mtesim
