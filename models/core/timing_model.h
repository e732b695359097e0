// TimingModel: what the core's pipeline costs beyond the memory system. The core is in-order
// and blocking: a run of non-memory instructions costs its count times the base CPI, an MTE
// tag-arithmetic instruction (IRG, ADDG, SUBG) one instruction, and each memory access the
// latency the MemoryPath charges, one after another.
#pragma once

#include "mtesim/cpu/core_config.h"

#include <cmath>
#include <cstdint>

namespace mtesim {

class TimingModel {
public:
    explicit TimingModel(const CoreConfig &config)
        : m_cpi_milli(static_cast<std::uint64_t>(std::llround(config.base_cpi * 1000.0))) {}

    /// Cycles of @instructions non-memory instructions at the base CPI (rounded to nearest);
    /// a CPI of 1, the default, needs no division.
    std::uint64_t cycles_of(std::uint64_t instructions) const {
        return m_cpi_milli == 1000 ? instructions : (instructions * m_cpi_milli + 500) / 1000;
    }
    /// Cycles of one tag-arithmetic instruction (the base CPI rounded up).
    std::uint64_t tag_op_cycles() const { return (m_cpi_milli + 999) / 1000; }

private:
    std::uint64_t m_cpi_milli; /* base CPI in thousandths of a cycle */
};

}  // namespace mtesim
