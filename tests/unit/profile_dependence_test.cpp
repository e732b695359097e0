// The study profiles' load dependences (docs/trace-format.md, "Study profiles"): a heap object
// the browser uses is reached by a tree lookup (a chain of dependent child-pointer loads from
// the root), its accesses depend on the lookup's last load; array and table accesses (server,
// swap-storm) are independent.
#include "mtesim/trace/profile_workload.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using namespace mtesim;

namespace {

struct Load {
    std::uint32_t name;
    std::int64_t offset;
    std::uint64_t size;
    std::uint32_t chain; /* dependent loads before it, back to a load with no dependence */
};

ProfileParams params(const char *profile) {
    ProfileParams p;
    p.profile = profile;
    p.scale = 0.2;
    p.memory_bytes = 64ull << 20;
    return p;
}

}  // namespace

TEST(ProfileDependences, BrowserObjectsAreReachedThroughChainsOfChildPointerLoads) {
    ProfileWorkload w(params("browser"));
    std::map<std::uint32_t, std::vector<Load>> loads; /* per thread, in order */
    std::uint64_t dependent = 0, accesses = 0, longest = 0;
    TraceEvent ev;
    while (w.next(ev)) {
        if (ev.op != TraceOp::load && ev.op != TraceOp::store) continue;
        ++accesses;
        auto &mine = loads[ev.thread];
        std::uint32_t chain = 0;
        if (ev.dep) {
            ++dependent;
            ASSERT_LE(ev.dep, kMaxLoadDependency);
            ASSERT_LE(ev.dep, mine.size()) << "names a load of this thread";
            const Load &from = mine[mine.size() - ev.dep];
            // The pointer a heap object is reached through is a node's child pointer: 8 bytes at
            // offset 0 (left) or 8 (right) of another live chunk.
            EXPECT_EQ(from.size, 8u);
            EXPECT_TRUE(from.offset == 0 || from.offset == 8) << from.offset;
            EXPECT_NE(from.name, ev.src.name) << "the child pointer is in the parent, not in the object";
            chain = from.chain + 1;
        }
        // A balanced tree of at most 1024 live chunks (kMaxLive) is at most 10 levels below its root.
        EXPECT_LE(chain, 10u);
        longest = std::max<std::uint64_t>(longest, chain);
        if (ev.op == TraceOp::load) mine.push_back({ev.src.name, ev.src.offset, ev.arg, chain});
    }
    EXPECT_GT(dependent, accesses / 4) << "most objects are not the root: most uses are reached by a lookup";
    EXPECT_LT(dependent, accesses);
    EXPECT_GE(longest, 6u) << "hundreds of live chunks: lookups several levels deep";
}

TEST(ProfileDependences, StreamingAndTableAccessesAreIndependent) {
    for (const char *profile : {"server", "swap-storm"}) {
        SCOPED_TRACE(profile);
        ProfileWorkload w(params(profile));
        TraceEvent ev;
        std::uint64_t raw = 0;
        while (w.next(ev))
            if ((ev.op == TraceOp::load || ev.op == TraceOp::store) && ev.src.name == Operand::kRaw) {
                ++raw;
                EXPECT_EQ(ev.dep, 0u);
            }
        EXPECT_GT(raw, 0u);
    }
}

TEST(ProfileMispredicts, OnlyTheTreeWalksDirectionBranchMispredictsAboutOneLevelInTwo) {
    // The only branch a profile reports is the tree lookup's left/right choice, predicted by a
    // 2-bit counter (docs/trace-format.md, "Branch mispredictions in the generated workloads").
    // The lookups' targets are drawn at random, so the directions are close to coin flips, and
    // a 2-bit counter on coin flips is wrong half the time.
    ProfileWorkload w(params("browser"));
    std::uint64_t levels = 0, mispredicts = 0;
    TraceEvent ev;
    while (w.next(ev)) {
        if (ev.mispredicts) {
            ASSERT_EQ(ev.op, TraceOp::load) << "only a child-pointer load follows the direction branch";
            EXPECT_EQ(ev.mispredicts, 1u) << "one direction branch per level";
            EXPECT_TRUE(ev.src.offset == 0 || ev.src.offset == 8);
            EXPECT_EQ(ev.arg, 8u);
            EXPECT_GE(ev.aux, ev.mispredicts) << "the branch is one of the gap's instructions";
        }
        if (ev.op == TraceOp::load && ev.aux == 2 && ev.arg == 8 && (ev.src.offset == 0 || ev.src.offset == 8)) {
            ++levels;
            mispredicts += ev.mispredicts;
        }
    }
    ASSERT_GT(levels, 1000u);
    const double rate = static_cast<double>(mispredicts) / static_cast<double>(levels);
    EXPECT_GT(rate, 0.4) << mispredicts << " of " << levels;
    EXPECT_LT(rate, 0.6) << mispredicts << " of " << levels;
    for (const char *profile : {"server", "swap-storm"}) {
        ProfileWorkload other(params(profile));
        while (other.next(ev)) {
            if (ev.src.name == Operand::kRaw) {
                EXPECT_EQ(ev.mispredicts, 0u) << profile << ": array and table walks are predictable";
            }
        }
    }
}
