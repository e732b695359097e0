// BaseCpiInstructionStream: see the header.
#include "mtesim/boot/base_cpi_instruction_stream.h"

namespace mtesim {

std::uint64_t BaseCpiInstructionStream::execute(std::uint64_t n) {
    m_stats.instructions += n;
    const double exact = m_fraction + static_cast<double>(n) * m_cpi;
    const auto cycles = static_cast<std::uint64_t>(exact);
    m_fraction = exact - static_cast<double>(cycles);
    m_stats.instruction_cycles += cycles;
    return post(cycles);
}

std::uint64_t BaseCpiInstructionStream::barrier(Barrier b) {
    const std::uint64_t c = b == Barrier::isb ? m_isb : m_dsb;
    ++m_stats.barriers;
    m_stats.barrier_cycles += c;
    return post(c);
}

std::uint64_t BaseCpiInstructionStream::wait(std::uint64_t cycles) {
    m_stats.wait_cycles += cycles;
    return post(cycles);
}

}  // namespace mtesim
