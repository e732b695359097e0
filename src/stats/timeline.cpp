// Timeline: see the header. The document is built and serialised with nlohmann/json.
#include "mtesim/stats/timeline.h"

#include "mtesim/common/sim_assert.h"

#include <nlohmann/json.hpp>

namespace mtesim {

void Timeline::span(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t start_ps,
                    std::uint64_t duration_ps, TimelineArgs args) {
    if (m_events.size() >= kMaxEvents) {
        ++m_dropped;
        return;
    }
    m_events.push_back(Event{name, category, std::move(args), 'X', cpu, start_ps, duration_ps});
}

void Timeline::instant(const std::string &name, const std::string &category, unsigned cpu, std::uint64_t at_ps,
                       TimelineArgs args) {
    if (m_events.size() >= kMaxEvents) {
        ++m_dropped;
        return;
    }
    m_events.push_back(Event{name, category, std::move(args), 'i', cpu, at_ps, 0});
}

/* The trace-event document (Chrome's "JSON Object Format"): metadata events naming the process
 * and one thread per CPU, then the events. Times are microseconds (ts, dur) as the format
 * requires; a picosecond count becomes a double, exact to the picosecond up to ~10^9 us.
 * Each event's args are typed name/value pairs (TimelineArg), serialised here by the library.
 *
 * A run keeps up to kMaxEvents events, so the document is not built as one JSON value (about
 * a kilobyte of heap per event): the frame is serialised by the library with an empty
 * traceEvents array, and each event, serialised by the library on its own, goes into that
 * array on a line of its own. */
std::string Timeline::json(const std::vector<std::string> &cpu_names) const {
    using nlohmann::ordered_json;
    const auto dump = [](const ordered_json &j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); };
    const auto us = [](std::uint64_t ps) { return static_cast<double>(ps) / 1e6; };
    const ordered_json frame = {
        {"displayTimeUnit", "ns"}, {"otherData", {{"dropped_events", m_dropped}}}, {"traceEvents", ordered_json::array()}};
    std::string head = dump(frame);
    const std::string empty_tail = "[]}";
    MTESIM_ASSERT(head.size() > empty_tail.size() && head.compare(head.size() - empty_tail.size(), empty_tail.size(), empty_tail) == 0,
                  "the timeline frame does not end in its traceEvents array");
    head.resize(head.size() - 2); /* keep the '[' */
    std::string out = head + "\n";
    out += dump({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "mtesim"}}}});
    for (std::size_t c = 0; c < cpu_names.size(); ++c)
        out += ",\n" + dump({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", c}, {"args", {{"name", cpu_names[c]}}}});
    for (const auto &e : m_events) {
        ordered_json ev = {{"name", e.name}, {"cat", e.category}, {"ph", std::string(1, e.phase)}, {"pid", 1}, {"tid", e.cpu},
                           {"ts", us(e.ts_ps)}};
        if (e.phase == 'X') ev["dur"] = us(e.dur_ps);
        else ev["s"] = "t";
        if (!e.args.empty()) {
            ordered_json args = ordered_json::object();
            for (const TimelineArg &a : e.args)
                std::visit([&](const auto &v) { args[a.key] = v; }, a.value);
            ev["args"] = std::move(args);
        }
        out += ",\n" + dump(ev);
    }
    return out + "\n]}\n";
}

}  // namespace mtesim
