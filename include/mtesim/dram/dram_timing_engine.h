// DramTimingEngine: the cycle-approximate timing of one DRAM controller, in plain C++ so that
// the SystemC DramController and `mtesim dram-replay` share it and it can be unit tested.
// Each access is scheduled on arrival from the state of its bank (open row, earliest next
// ACT/PRE/column command), its rank (tRRD, tFAW, tCCD, refresh) and its channel's data bus
// (a calendar of column commands and bursts). Concurrent initiators therefore contend, and a channel never moves more than
// one burst per tBURST, so sustained bandwidth cannot exceed the configured peak.
#pragma once

#include "mtesim/dram/column_calendar.h"
#include "mtesim/dram/dram_address_mapper.h"
#include "mtesim/dram/dram_config.h"
#include "mtesim/dram/dram_traffic_stats.h"

#include <array>
#include <cstdint>
#include <vector>

namespace mtesim {

class DramTimingEngine {
public:
    explicit DramTimingEngine(const DramConfig &config);

    struct Result {
        std::uint64_t done = 0; /* cycle of the last data beat */
        RowOutcome outcome = RowOutcome::hit;
    };

    /// Schedules one request of @bytes (rounded up to whole bursts) arriving at cycle
    /// @arrival and counts it into @stats. Returns when its data completes.
    Result access(DramAddr addr, bool write, std::uint64_t arrival, std::uint32_t bytes, DramTrafficStats &stats);

    const DramConfig &config() const { return m_config; }
    std::uint64_t refreshes() const { return m_refreshes; }
    /// Cycles any channel's data bus carried data.
    std::uint64_t bus_busy_cycles() const { return m_bus_busy; }

private:
    static constexpr std::uint64_t kNoRow = ~0ull;

    struct Bank {
        std::uint64_t open_row = kNoRow;
        std::uint64_t act_ready = 0; /* earliest ACT (after PRE + tRP, refresh) */
        std::uint64_t pre_ready = 0; /* earliest PRE (tRAS, tWR, tRTP) */
        std::uint64_t col_ready = 0; /* earliest RD/WR (ACT + tRCD) */
    };
    struct Rank {
        std::array<std::uint64_t, 4> last_acts{}; /* ring of the last four ACTs, for tFAW */
        unsigned act_head = 0;                    /* oldest of the four */
        std::uint64_t acts = 0;                   /* ACTs issued so far */
        std::uint64_t act_any_ready = 0;          /* tRRD_S */
        std::vector<std::uint64_t> act_bg_ready;  /* tRRD_L, per bank group */
        std::uint64_t next_refresh = 0;           /* start of the next refresh window */
    };

    void refresh(std::uint32_t channel, std::uint32_t rank);
    void catch_up_refreshes(std::uint32_t channel, std::uint32_t rank, std::uint64_t now);

    DramConfig m_config;
    DramAddressMapper m_mapper;
    std::vector<Bank> m_banks;                 /* [channel][rank][bankgroup][bank] */
    std::vector<Rank> m_ranks;                 /* [channel][rank] */
    std::vector<ColumnCalendar> m_calendars;   /* per channel: column commands and data bursts */
    std::uint64_t m_refreshes = 0;
    std::uint64_t m_bus_busy = 0;
};

}  // namespace mtesim
