// Timeline: allocation, reservation, migration, fault and IPI events of a run in the Chrome
// trace-event JSON format (`mtesim run --timeline FILE.json`), which the Perfetto UI and
// chrome://tracing open. One track per CPU. At most kMaxEvents are kept; a note says when more
// were dropped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mtesim {

/// One argument of a timeline event: its name and a count or a text. The JSON is written by
/// the library (Timeline::json), never by the models.
struct TimelineArg {
    std::string key;
    std::variant<std::uint64_t, std::string> value;
};
using TimelineArgs = std::vector<TimelineArg>;

class Timeline {
public:
    static constexpr std::size_t kMaxEvents = 1000000;

    /// A span on CPU @cpu from @start_ps lasting @duration_ps, with its @args.
    void span(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t start_ps,
              std::uint64_t duration_ps, TimelineArgs args = {});
    /// A point event.
    void instant(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t at_ps,
                 TimelineArgs args = {});
    std::size_t size() const { return m_events.size(); }
    std::uint64_t dropped() const { return m_dropped; }
    /// The whole document.
    std::string json(const std::vector<std::string> &cpu_names) const;

private:
    struct Event {
        std::string name, category;
        TimelineArgs args;
        char phase;
        unsigned cpu;
        std::uint64_t ts_ps, dur_ps;
    };
    std::vector<Event> m_events;
    std::uint64_t m_dropped = 0;
};

}  // namespace mtesim
