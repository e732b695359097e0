// LocalClock: a core's local time under loosely-timed TLM with temporal decoupling. Cycles
// are charged cheaply as a pending count (the hot path adds an integer) and folded into the
// quantum keeper when the core reaches a synchronisation point: a memory transaction, a wait
// for another core, a quantum boundary. now_cycles()/now_ps() include what is pending.
#pragma once

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>

namespace mtesim {

class LocalClock {
public:
    explicit LocalClock(std::uint64_t clock_hz);

    /// Adds @cycles of work to local time (not yet seen by SystemC).
    void charge(std::uint64_t cycles) { m_pending_cycles += cycles; }
    /// Cycles charged since the last flush.
    std::uint64_t pending_cycles() const { return m_pending_cycles; }
    /// Folds the pending cycles into the quantum keeper's local time.
    void flush();
    /// Flushes, then hands local time to the SystemC kernel (a wait until it is global time).
    void sync() {
        flush();
        m_qk.sync();
        ++m_syncs;
        rebase();
    }
    /// Times this core handed control to the SystemC kernel through sync().
    std::uint64_t syncs() const { return m_syncs; }
    /// Local time restarts at the current SystemC time (after the thread waited on an event).
    void reset() {
        m_qk.reset();
        rebase();
    }
    /// The thread waited on an event with no local offset left (after sync()): SystemC time
    /// moved, so the cycle count of the current time is read again.
    void waited() { rebase(); }
    /// True when local time has run a quantum ahead of SystemC time.
    bool need_sync() const { return m_qk.need_sync(); }

    /// Current local time in core cycles (including charged, unflushed cycles).
    /// The current time's cycles are kept (rebase()) rather than read from SystemC at each call:
    /// they change only when the quantum keeper's offset does or when this thread waits.
    std::uint64_t now_cycles() const { return m_base_cycles + m_pending_cycles; }
    /// The same in picoseconds.
    std::uint64_t now_ps() const;
    /// The first cycle count now_cycles() reaches at or after simulated time @ps (the clock's
    /// period as SystemC rounds it, not the nominal one).
    std::uint64_t cycles_at(std::uint64_t ps) const;
    /// Cycles to charge for now_ps() to reach simulated time @ps (0 if it has): the fewest
    /// whole periods (as SystemC rounds them) from the current local time to it.
    std::uint64_t cycles_until(std::uint64_t ps) const;
    /// The quantum keeper's offset from SystemC time (flushed cycles only).
    sc_core::sc_time local_time() const { return m_qk.get_local_time(); }
    /// SystemC time plus the flushed local offset.
    sc_core::sc_time current_time() const { return m_qk.get_current_time(); }
    void set_local_time(const sc_core::sc_time &t) {
        m_qk.set(t);
        rebase();
    }
    void advance(const sc_core::sc_time &t) {
        m_qk.inc(t);
        rebase();
    }

    sc_core::sc_time period() const { return m_period; }
    /// Clock period in SystemC time units.
    std::uint64_t period_units() const { return m_period_units; }
    std::uint64_t clock_hz() const { return m_clock_hz; }

private:
    /// Recomputes m_base_cycles from SystemC time and the quantum keeper's offset.
    void rebase() { m_base_cycles = m_qk.get_current_time().value() / m_period_units; }

    std::uint64_t m_clock_hz;
    sc_core::sc_time m_period;
    std::uint64_t m_period_units;       /* clock period in SystemC time units */
    std::uint64_t m_pending_cycles = 0; /* charged but not yet added to the quantum keeper */
    std::uint64_t m_syncs = 0;          /* sync() calls */
    std::uint64_t m_base_cycles = 0;    /* (SystemC time + flushed local offset) in whole cycles */
    tlm_utils::tlm_quantumkeeper m_qk;
};

}  // namespace mtesim
