// Timeline: allocation, reservation, migration, fault and IPI events of a run in the Chrome
// trace-event JSON format (`mtesim run --timeline FILE.json`), which the Perfetto UI and
// chrome://tracing open. One track per CPU. At most kMaxEvents are kept; a note says when more
// were dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtesim {

class Timeline {
public:
    static constexpr std::size_t kMaxEvents = 1000000;

    /// A span on CPU @cpu from @start_ps lasting @duration_ps; @args is a JSON object body.
    void span(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t start_ps,
              std::uint64_t duration_ps, const std::string &args = "");
    /// A point event.
    void instant(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t at_ps,
                 const std::string &args = "");
    std::size_t size() const { return m_events.size(); }
    std::uint64_t dropped() const { return m_dropped; }
    /// The whole document.
    std::string json(const std::vector<std::string> &cpu_names) const;

private:
    struct Event {
        std::string name, category, args;
        char phase;
        unsigned cpu;
        std::uint64_t ts_ps, dur_ps;
    };
    std::vector<Event> m_events;
    std::uint64_t m_dropped = 0;
};

}  // namespace mtesim
