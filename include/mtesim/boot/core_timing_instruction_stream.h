// CoreTimingInstructionStream: IInstructionStream on the boot core's timing model
// (models/core/timing_model.h, the core's preset chosen by its DT compatible), the default of
// `mtesim boot` (boot.instruction_stream = core).
//
// The boot's loads and stores already go through that core's TimingModel (KernelMemoryWork:
// each line is an access of the window; a store that misses takes a store-buffer entry and
// retires without waiting for its line). This stream adds what the code does besides:
//   - instructions: on an out-of-order core (core.model = ooo) they dispatch at
//     core.dispatch_width per cycle, the steady state between miss events of interval
//     simulation (Eyerman, Eeckhout, Karkhanis and Smith, "A mechanistic performance model
//     for superscalar out-of-order processors", ACM TOCS 2009; Genbrugge, Eyerman and
//     Eeckhout, HPCA 2010), and enter the window: the ROB fills behind an outstanding load
//     miss and stalls dispatch. On an in-order core they cost core.base_cpi each.
//   - DSB (ISHST or ISH): Arm ARM (DDI 0487) B2.3.12 "Data Synchronization Barrier": no
//     instruction after the DSB executes until every explicit memory access before it has
//     completed. On an out-of-order core that is the window's drain: the store buffer's
//     entries and the outstanding load misses complete (TimingModel::drain); a DSB with
//     nothing outstanding costs nothing beyond its dispatch slot (counted with the code's
//     instructions). An in-order core is blocking (every access completed before the next):
//     kernel.dsb_cycles, as the base-CPI stream.
//   - ISB: Arm ARM B2.3.13 / D1 "Context synchronization event": the instructions after it
//     are fetched again once every instruction before it has completed. On an out-of-order
//     core: the drain, then the refetch (kernel.isb_cycles). TimingModel::drain also waits for
//     the store buffer, which an ISB need not; in mmu.c every ISB follows a DSB, which has
//     already drained it, so the difference is nil here.
//   - waits (the DVM completion a DSB ISH after a TLBI waits for): the cycles, on the clock.
// The cycles reach the boot core through a CoreTimingPort (Core::kernel_dispatch,
// kernel_drain, kernel_named_cost in a simulation; a bare TimingModel in tests).
#pragma once

#include "mtesim/boot/i_instruction_stream.h"
#include "mtesim/cpu/core_config.h"

#include <functional>

namespace mtesim {

/// The boot core's timing model as the stream drives it. Each call returns the core cycles
/// its clock advanced.
struct CoreTimingPort {
    /// @instructions non-memory instructions taking @cycles of dispatch enter the window.
    std::function<std::uint64_t(std::uint64_t instructions, std::uint64_t cycles)> dispatch;
    /// Waits for every outstanding load miss and buffered store.
    std::function<std::uint64_t()> drain;
    /// Stalls the core @cycles (a wait for an event outside it).
    std::function<std::uint64_t(std::uint64_t cycles)> stall;
};

class CoreTimingInstructionStream : public IInstructionStream {
public:
    CoreTimingInstructionStream(const CoreConfig &core, CoreTimingPort port);

    std::uint64_t execute(std::uint64_t n) override;
    std::uint64_t barrier(Barrier b) override;
    std::uint64_t wait(std::uint64_t cycles) override;
    const InstructionStreamStats &stats() const override { return m_stats; }

private:
    bool m_ooo;
    double m_cycles_per_instruction; /* 1 / dispatch_width out of order, base_cpi in order */
    std::uint64_t m_dsb, m_isb;      /* in core cycles */
    double m_fraction = 0;           /* dispatch cycles not yet charged (below one) */
    CoreTimingPort m_port;
    InstructionStreamStats m_stats;
};

}  // namespace mtesim
