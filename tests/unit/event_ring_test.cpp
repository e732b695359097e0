// EventRing: a FIFO that grows; push_front puts an event back before the queued ones (a kalloc
// run again after its thread slept for an OOM victim's exit).
#include "mtesim/trace/event_ring.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

TraceEvent ev(std::uint64_t arg) {
    TraceEvent e;
    e.arg = arg;
    return e;
}

std::vector<std::uint64_t> drain(EventRing &r) {
    std::vector<std::uint64_t> out;
    TraceEvent e;
    while (!r.empty()) {
        r.pop(e);
        out.push_back(e.arg);
    }
    return out;
}

TEST(EventRing, PushFrontComesOutFirstOnAFreshRing) {
    EventRing r;
    r.push_front(ev(7));
    r.push(ev(8));
    r.push_front(ev(6));
    EXPECT_EQ(drain(r), (std::vector<std::uint64_t>{6, 7, 8}));
}

TEST(EventRing, PushFrontAfterPopsAndAcrossGrowthKeepsTheOrder) {
    EventRing r;
    for (std::uint64_t i = 0; i < 16; ++i) r.push(ev(i)); /* full: 16 slots */
    TraceEvent e;
    r.pop(e);
    EXPECT_EQ(e.arg, 0u);
    r.push_front(e); /* fits again where it was */
    r.push_front(ev(100)); /* full: grows */
    for (std::uint64_t i = 16; i < 40; ++i) r.push(ev(i));
    std::vector<std::uint64_t> want{100};
    for (std::uint64_t i = 0; i < 40; ++i) want.push_back(i);
    EXPECT_EQ(drain(r), want);
    EXPECT_EQ(r.size(), 0u);
}

}  // namespace
