// Timeline: see the header. Times are written in microseconds with picosecond precision.
#include "mtesim/stats/timeline.h"

#include <cstdio>
#include <sstream>

namespace mtesim {

namespace {
std::string us(std::uint64_t ps) {
    char b[32];
    std::snprintf(b, sizeof b, "%llu.%06llu", static_cast<unsigned long long>(ps / 1000000),
                  static_cast<unsigned long long>(ps % 1000000));
    return b;
}
}  // namespace

void Timeline::span(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t start_ps,
                    std::uint64_t duration_ps, const std::string &args) {
    if (m_events.size() >= kMaxEvents) {
        ++m_dropped;
        return;
    }
    m_events.push_back(Event{name, category, args, 'X', cpu, start_ps, duration_ps});
}

void Timeline::instant(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t at_ps,
                       const std::string &args) {
    if (m_events.size() >= kMaxEvents) {
        ++m_dropped;
        return;
    }
    m_events.push_back(Event{name, category, args, 'i', cpu, at_ps, 0});
}

std::string Timeline::json(const std::vector<std::string> &cpu_names) const {
    std::ostringstream o;
    o << "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"dropped_events\": " << m_dropped << "},\n\"traceEvents\": [\n";
    o << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"args\": {\"name\": \"mtesim\"}}";
    for (std::size_t c = 0; c < cpu_names.size(); ++c)
        o << ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": " << c << ", \"args\": {\"name\": \"" << cpu_names[c]
          << "\"}}";
    for (const auto &e : m_events) {
        o << ",\n{\"name\": \"" << e.name << "\", \"cat\": \"" << e.category << "\", \"ph\": \"" << e.phase
          << "\", \"pid\": 1, \"tid\": " << e.cpu << ", \"ts\": " << us(e.ts_ps);
        if (e.phase == 'X') o << ", \"dur\": " << us(e.dur_ps);
        else o << ", \"s\": \"t\"";
        if (!e.args.empty()) o << ", \"args\": {" << e.args << "}";
        o << "}";
    }
    o << "\n]}\n";
    return o.str();
}

}  // namespace mtesim
