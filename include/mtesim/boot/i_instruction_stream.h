// IInstructionStream: the boot core's timing for kernel code that is not memory traffic. The
// boot's kernel loops (LinearMapBuilder) are described as instructions issued, barriers and
// waits for completions outside the core; their loads and stores also go through the memory
// system (IKernelMemory), which charges the cache and DRAM latencies. A core model plugs in
// here: CoreTimingInstructionStream (the default: the boot core's TimingModel, which on an
// out-of-order core dispatches at its width and drains its store buffer and window at a
// barrier) or BaseCpiInstructionStream (boot.instruction_stream = base-cpi: core.base_cpi per
// instruction and the named DSB and ISB costs, for comparison).
#pragma once

#include <cstdint>

namespace mtesim {

/// What a stream was asked to charge, for the boot's breakdown.
struct InstructionStreamStats {
    std::uint64_t instructions = 0;
    std::uint64_t instruction_cycles = 0;  /* in core cycles */
    std::uint64_t barriers = 0;
    std::uint64_t barrier_cycles = 0;      /* DSB and ISB, in core cycles */
    std::uint64_t drain_cycles = 0;        /* of barrier_cycles: waiting for earlier loads and stores */
    std::uint64_t wait_cycles = 0;         /* DVM completions waited for, in core cycles */
};

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
    /// What it charged so far.
    virtual const InstructionStreamStats &stats() const = 0;
};

}  // namespace mtesim
