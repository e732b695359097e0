// HeapRegistry: every process's userspace heap and its lock, shared by the cores. A heap call
// that blocks (mapping a region, a page fault while tagging) keeps the process's other
// threads out of the heap until it is done.
#pragma once

#include "mtesim/heap/heap_config.h"
#include "mtesim/heap/heap_model.h"

#include <systemc>

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace mtesim {

class HeapRegistry {
public:
    struct Heap {
        std::unique_ptr<HeapModel> model;
        bool busy = false;
        sc_core::sc_event released;
    };

    HeapConfig &config() { return m_config; }
    const HeapConfig &config() const { return m_config; }
    /// Process @pid's heap, made at its first call (@tagged: it tags its chunks).
    Heap &heap_of(std::uint32_t pid, bool tagged);

private:
    HeapConfig m_config;
    std::unordered_map<std::uint32_t, std::unique_ptr<Heap>> m_heaps; /* per process, made at its first malloc */
};

}  // namespace mtesim
