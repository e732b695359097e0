// ColumnCalendar: the column commands (and the data-bus bursts they cause) scheduled on one
// channel, sorted by time. A new request takes the earliest time at or after its bank allows
// that keeps its data off every other burst on the bus and its column command tCCD_S (other
// bank group) or tCCD_L (same bank group) away from the rank's other column commands. A
// request that arrives later can therefore fill a gap before an earlier one that is waiting
// for its bank: the effect a first-ready scheduler (FR-FCFS) has on bus utilisation, without
// a cycle-by-cycle queue. Entries too old to constrain any new request are pruned.
#pragma once

#include <cstdint>
#include <deque>

namespace mtesim {

class ColumnCalendar {
public:
    struct Slot {
        std::uint64_t first_col = 0, last_col = 0;   /* column command cycles of the request */
        std::uint64_t data_start = 0, data_end = 0;  /* its bursts on the data bus */
        std::uint32_t rank = 0, bankgroup = 0;
    };

    ColumnCalendar(std::uint32_t tCCD_S, std::uint32_t tCCD_L) : m_tccd_s(tCCD_S), m_tccd_l(tCCD_L) {}

    /// Earliest first-column cycle >= @earliest for a request on @rank / @bankgroup whose data
    /// starts @cas after its first column command and lasts @duration cycles, with its last
    /// column command @span cycles after the first.
    std::uint64_t find(std::uint64_t earliest, std::uint32_t rank, std::uint32_t bankgroup, std::uint64_t cas,
                       std::uint64_t duration, std::uint64_t span) const;
    void insert(const Slot &slot);
    /// Drops entries that cannot constrain a request arriving at or after @arrival.
    void prune(std::uint64_t arrival);

    std::size_t size() const { return m_slots.size(); }

private:
    std::deque<Slot> m_slots; /* sorted by first_col */
    std::uint32_t m_tccd_s, m_tccd_l;
    std::uint64_t m_horizon = 0; /* longest reach of an entry past its last column, in cycles */
};

}  // namespace mtesim
