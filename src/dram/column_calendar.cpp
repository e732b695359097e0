// ColumnCalendar: a linear scan over the entries near the candidate time. A conflict moves the
// candidate strictly later and the scan goes on from there; a pass without any move confirms
// the slot, so the search ends, usually after two passes.
#include "mtesim/dram/column_calendar.h"

#include <algorithm>

namespace mtesim {

std::uint64_t ColumnCalendar::find(std::uint64_t earliest, std::uint32_t rank, std::uint32_t bankgroup,
                                   std::uint64_t cas, std::uint64_t duration, std::uint64_t span) const {
    std::uint64_t t = earliest;
    for (;;) {
        bool moved = false;
        const std::uint64_t from = t > m_horizon + span ? t - m_horizon - span : 0;
        auto it = std::lower_bound(m_slots.begin(), m_slots.end(), from,
                                   [](const Slot &s, std::uint64_t v) { return s.first_col < v; });
        for (; it != m_slots.end(); ++it) {
            const Slot &s = *it;
            if (s.first_col > t + span + cas + duration + m_tccd_l) break;
            const std::uint64_t ds = t + cas, de = ds + duration;
            if (ds < s.data_end && s.data_start < de) {
                const std::uint64_t next = s.data_end > cas ? s.data_end - cas : 0;
                if (next > t) { t = next; moved = true; }
            }
            if (s.rank == rank) {
                const std::uint64_t gap = s.bankgroup == bankgroup ? m_tccd_l : m_tccd_s;
                if (t < s.last_col + gap && s.first_col < t + span + gap) {
                    t = s.last_col + gap;
                    moved = true;
                }
            }
            // Keep scanning forward with the later candidate; a second pass confirms it.
        }
        if (!moved) return t;
    }
}

void ColumnCalendar::insert(const Slot &slot) {
    m_horizon = std::max(m_horizon, std::max<std::uint64_t>(slot.data_end - slot.last_col, m_tccd_l));
    auto it = std::upper_bound(m_slots.begin(), m_slots.end(), slot.first_col,
                               [](std::uint64_t v, const Slot &s) { return v < s.first_col; });
    m_slots.insert(it, slot);
}

void ColumnCalendar::prune(std::uint64_t arrival) {
    while (!m_slots.empty() && m_slots.front().last_col + m_horizon < arrival &&
           m_slots.front().data_end < arrival)
        m_slots.pop_front();
}

}  // namespace mtesim
