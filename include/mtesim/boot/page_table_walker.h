// PageTableWalker: a functional stage-1 walk (Arm ARM AArch64.TranslationTableWalk, 4 KiB
// granule, 4 levels) over page tables held in simulated memory. Tests use it to check the
// tables boot wrote; the cores' TLB walks will charge its four reads through the memory system.
#pragma once

#include "mtesim/mem/sparse_memory.h"

#include <cstdint>
#include <optional>

namespace mtesim {

struct WalkResult {
    PhysAddr pa;
    unsigned level = 0;        /* the level of the leaf descriptor: 1 or 2 block, 3 page */
    std::uint64_t descriptor = 0;
    PhysAddr table_reads[4];   /* the descriptor addresses read, level 0 first */
};

class PageTableWalker {
public:
    explicit PageTableWalker(const SparseMemory &memory) : m_memory(memory) {}
    /// Translation of @va through the tables at @root; nullopt on a translation fault.
    std::optional<WalkResult> walk(PhysAddr root, std::uint64_t va) const;

private:
    const SparseMemory &m_memory;
};

}  // namespace mtesim
