// PageblockSkipHints: see the header.
#include "mtesim/mm/pageblock_skip_hints.h"

#include <algorithm>

namespace mtesim {

PageblockSkipHints::PageblockSkipHints(Pfn start, Pfn end)
    : m_first(start.value() >> kPageblockOrder),
      m_bits(static_cast<std::size_t>(((end.value() + kPageblockPages - 1) >> kPageblockOrder) - m_first), false) {}

void PageblockSkipHints::reset() {
    std::fill(m_bits.begin(), m_bits.end(), false);
    m_flush = false;
}

std::uint64_t PageblockSkipHints::marked() const {
    return static_cast<std::uint64_t>(std::count(m_bits.begin(), m_bits.end(), true));
}

}  // namespace mtesim
