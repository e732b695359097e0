// CoreTimingInstructionStream: see the header for the mechanism and its sources.
#include "mtesim/boot/core_timing_instruction_stream.h"

namespace mtesim {

CoreTimingInstructionStream::CoreTimingInstructionStream(const CoreConfig &core, CoreTimingPort port)
    : m_ooo(core.out_of_order),
      m_cycles_per_instruction(core.out_of_order ? 1.0 / static_cast<double>(core.dispatch_width) : core.base_cpi),
      m_dsb(core.dsb_cycles), m_isb(core.isb_cycles), m_port(std::move(port)) {}

/*
 * @n instructions: their dispatch cycles (fractions of a cycle carried to the next call, so a
 * table's 11-instruction PTE iterations on a 4-wide core cost 2.75 cycles each on average),
 * and the window: the port's dispatch stops the run where the ROB runs full behind an
 * outstanding load miss and goes on once the miss is back (TimingModel::dispatch), so the run
 * is handed over whole.
 */
std::uint64_t CoreTimingInstructionStream::execute(std::uint64_t n) {
    m_stats.instructions += n;
    const double exact = m_fraction + static_cast<double>(n) * m_cycles_per_instruction;
    const auto cycles = static_cast<std::uint64_t>(exact);
    m_fraction = exact - static_cast<double>(cycles);
    const std::uint64_t c = n ? m_port.dispatch(n, cycles) : 0;
    m_stats.instruction_cycles += c;
    return c;
}

std::uint64_t CoreTimingInstructionStream::barrier(Barrier b) {
    ++m_stats.barriers;
    std::uint64_t c = 0;
    if (m_ooo) {
        const std::uint64_t drained = m_port.drain();
        m_stats.drain_cycles += drained;
        c = drained + (b == Barrier::isb ? m_port.stall(m_isb) : 0);
    } else {
        c = m_port.stall(b == Barrier::isb ? m_isb : m_dsb);
    }
    m_stats.barrier_cycles += c;
    return c;
}

std::uint64_t CoreTimingInstructionStream::wait(std::uint64_t cycles) {
    const std::uint64_t c = m_port.stall(cycles);
    m_stats.wait_cycles += c;
    return c;
}

}  // namespace mtesim
