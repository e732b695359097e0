// IInstructionStream: the boot core's timing for kernel code that is not memory traffic. The
// boot's kernel loops (LinearMapBuilder) are described as instructions issued, barriers and
// waits for completions outside the core; their loads and stores also go through the memory
// system (IKernelMemory), which charges the cache and DRAM latencies. A core model plugs in
// here: today BaseCpiInstructionStream (core.base_cpi per instruction, the named DSB and ISB
// costs); an out-of-order model can overlap the instructions with the memory accesses and
// drain its store buffer at a DSB.
#pragma once

#include <cstdint>

namespace mtesim {

enum class Barrier {
    dsb_st, /* DSB ISHST: waits for earlier stores (set_pte, set_pmd, init_clear_pgtable) */
    dsb,    /* DSB ISH: as dsb_st, and for earlier TLB maintenance to complete */
    isb,    /* ISB: a context synchronisation, the pipeline refetches */
};

class IInstructionStream {
public:
    virtual ~IInstructionStream() = default;
    /// Issues @n instructions; returns the core cycles charged.
    virtual std::uint64_t execute(std::uint64_t n) = 0;
    /// One barrier instruction's own cost (not the TLBI completion a DSB waits for).
    virtual std::uint64_t barrier(Barrier b) = 0;
    /// Stalls @cycles core cycles waiting for an event outside the core (a DVM sync's
    /// acknowledgements); returns the cycles charged.
    virtual std::uint64_t wait(std::uint64_t cycles) = 0;
};

}  // namespace mtesim
