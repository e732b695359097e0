// PeltSignal: see the header.
#include "mtesim/sched/pelt_signal.h"

#include <cmath>

namespace mtesim {

double PeltSignal::util_at(std::uint64_t now_ps, std::uint32_t capacity) const {
    if (!m_started || now_ps <= m_at_ps) return m_util;
    const double d = static_cast<double>(now_ps - m_at_ps);
    if (capacity == 0) return m_util * std::exp2(-d / kHalfLifePs);
    const double scaled = d * static_cast<double>(capacity) / kScale; /* clock_pelt: running time at capacity */
    return kScale - (kScale - m_util) * std::exp2(-scaled / kHalfLifePs);
}

void PeltSignal::run_until(std::uint64_t now_ps, std::uint32_t capacity) {
    m_util = util_at(now_ps, capacity);
    if (now_ps > m_at_ps) m_at_ps = now_ps;
}

void PeltSignal::rest_until(std::uint64_t now_ps, std::uint32_t busy_capacity) {
    if (busy_capacity != 0 && m_started && now_ps > m_at_ps) {
        const double scaled = static_cast<double>(now_ps - m_at_ps) * static_cast<double>(busy_capacity) / kScale;
        m_util *= std::exp2(-scaled / kHalfLifePs);
        m_at_ps = now_ps;
        return;
    }
    m_util = util_at(now_ps, 0);
    if (now_ps > m_at_ps) m_at_ps = now_ps;
}

}  // namespace mtesim
