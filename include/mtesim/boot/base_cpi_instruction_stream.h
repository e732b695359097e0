// BaseCpiInstructionStream: IInstructionStream of named costs (boot.instruction_stream =
// base-cpi, kept to compare with the core's timing model). An instruction
// costs core.base_cpi cycles (fractions carried to the next call); DSB and ISB cost
// kernel.dsb_cycles and kernel.isb_cycles; waits cost what they last. The cycles go to the
// boot core through @charge (Core::kernel_named_cost in a simulation), so the boot core's
// clock advances by them. It also counts what it was asked to charge, for the breakdown.
#pragma once

#include "mtesim/boot/i_instruction_stream.h"
#include "mtesim/cpu/core_config.h"

#include <functional>

namespace mtesim {

class BaseCpiInstructionStream : public IInstructionStream {
public:
    /// @charge adds cycles to the boot core's time; null: only count (tests).
    BaseCpiInstructionStream(const CoreConfig &core, std::function<void(std::uint64_t)> charge)
        : m_cpi(core.base_cpi), m_dsb(core.dsb_cycles), m_isb(core.isb_cycles), m_charge(std::move(charge)) {}

    std::uint64_t execute(std::uint64_t n) override;
    std::uint64_t barrier(Barrier b) override;
    std::uint64_t wait(std::uint64_t cycles) override;
    const InstructionStreamStats &stats() const override { return m_stats; }

private:
    std::uint64_t post(std::uint64_t cycles) {
        if (m_charge && cycles) m_charge(cycles);
        return cycles;
    }

    double m_cpi;
    std::uint64_t m_dsb, m_isb;   /* in core cycles */
    double m_fraction = 0;        /* cycles of instructions not yet charged (below one) */
    std::function<void(std::uint64_t)> m_charge;
    InstructionStreamStats m_stats;
};

}  // namespace mtesim
