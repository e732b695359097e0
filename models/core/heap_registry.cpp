// HeapRegistry: see the header.
#include "core/heap_registry.h"

namespace mtesim {

HeapRegistry::Heap &HeapRegistry::heap_of(std::uint32_t pid, bool tagged) {
    auto &slot = m_heaps[pid];
    if (!slot) {
        slot = std::make_unique<Heap>();
        slot->model = std::make_unique<HeapModel>(tagged);
    }
    return *slot;
}

}  // namespace mtesim
