// BusyTimes: the busy MSHRs' completion cycles, kept ascending with a head index. Random
// inserts and prunes (through the head-index reclaim and the emptying) against a sorted
// multiset of the cycles still busy.
#include "core/busy_times.h"
#include "mtesim/common/xorshift64_star.h"

#include <gtest/gtest.h>

#include <set>

using namespace mtesim;

TEST(BusyTimes, HoldsTheCyclesStillBusyInOrderThroughPrunesAndReclaims) {
    BusyTimes b;
    std::multiset<std::uint64_t> ref;
    std::uint64_t now = 0, rng = 7;
    const auto next = [&](std::uint64_t n) {
        return (xorshift64_star(rng) >> 32) % n;
    };
    int emptied = 0;
    for (int op = 0; op < 20000; ++op) {
        if (next(3) != 0) {
            const std::uint64_t done = now + 1 + next(200); /* usually later than the others, not always */
            b.insert(done);
            ref.insert(done);
        } else {
            now += next(60);
            b.drop_until(now);
            ref.erase(ref.begin(), ref.upper_bound(now));
            emptied += ref.empty();
        }
        ASSERT_EQ(b.size(), ref.size()) << "after operation " << op;
        if (!ref.empty()) {
            ASSERT_EQ(b.front(), *ref.begin()) << "after operation " << op;
        }
    }
    EXPECT_GT(emptied, 10) << "the list must empty now and then, so that clear() is exercised";
    b.clear();
    EXPECT_EQ(b.size(), 0u);
}
