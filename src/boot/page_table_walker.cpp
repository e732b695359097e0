// PageTableWalker: see the header.
#include "mtesim/boot/page_table_walker.h"

#include "mtesim/boot/page_table_format.h"

namespace mtesim {

using namespace pgtable;

std::optional<WalkResult> PageTableWalker::walk(PhysAddr root, std::uint64_t va) const {
    WalkResult r;
    std::uint64_t table = root.value();
    for (unsigned level = 0; level < kLevels; ++level) {
        const PhysAddr at(table + index(va, level) * 8ull);
        r.table_reads[level] = at;
        const std::uint64_t d = m_memory.read_word(at);
        if (!(d & kValid)) return std::nullopt;
        const bool table_or_page = (d & kTable) != 0;
        if (level == kLevels - 1) {
            if (!table_or_page) return std::nullopt; /* reserved encoding at level 3 */
        } else if (table_or_page) {
            table = d & kAddrMask;
            continue;
        } else if (level == 0) {
            return std::nullopt; /* no level-0 blocks with a 4 KiB granule */
        }
        const std::uint64_t mask = span(level) - 1;
        r.pa = PhysAddr((d & kAddrMask & ~mask) | (va & mask));
        r.level = level;
        r.descriptor = d;
        return r;
    }
    return std::nullopt;
}

}  // namespace mtesim
