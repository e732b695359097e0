// LocalClock: see the header.
#include "core/local_clock.h"

#include "mtesim/common/sim_assert.h"

namespace mtesim {

LocalClock::LocalClock(std::uint64_t clock_hz)
    : m_clock_hz(clock_hz), m_period(sc_core::sc_time(1e12 / static_cast<double>(clock_hz), sc_core::SC_PS)) {
    m_period_units = m_period.value();
    MTESIM_ASSERT(m_period_units > 0, "core clock faster than the SystemC time resolution");
    rebase();
}

void LocalClock::flush() {
    if (m_pending_cycles) {
        m_qk.inc(sc_core::sc_time::from_value(m_pending_cycles * m_period_units));
        m_pending_cycles = 0;
        rebase();
    }
}

std::uint64_t LocalClock::now_ps() const {
    return (m_qk.get_current_time().value() + m_pending_cycles * m_period_units) / sc_core::sc_time(1, sc_core::SC_PS).value();
}

std::uint64_t LocalClock::cycles_at(std::uint64_t ps) const {
    static const std::uint64_t units_per_ps = sc_core::sc_time(1, sc_core::SC_PS).value();
    const unsigned __int128 units = static_cast<unsigned __int128>(ps) * units_per_ps;
    return static_cast<std::uint64_t>((units + m_period_units - 1) / m_period_units);
}

std::uint64_t LocalClock::cycles_until(std::uint64_t ps) const {
    static const std::uint64_t units_per_ps = sc_core::sc_time(1, sc_core::SC_PS).value();
    const unsigned __int128 target = static_cast<unsigned __int128>(ps) * units_per_ps;
    const unsigned __int128 now =
        static_cast<unsigned __int128>(m_qk.get_current_time().value()) + static_cast<unsigned __int128>(m_pending_cycles) * m_period_units;
    return target <= now ? 0 : static_cast<std::uint64_t>((target - now + m_period_units - 1) / m_period_units);
}

}  // namespace mtesim
