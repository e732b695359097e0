// When a prefetch's data is back (docs/timing-model.md, "Prefetchers"): a prefetch leaves when
// its prefetcher sees the access that trains it (the L1D lookup for the stride prefetcher, the
// L2 lookup for the stream prefetcher), not once that access's own miss has returned. A
// sequential stream whose every prefetch is useful can then only gain from a prefetcher: the
// prefetched lines' reads leave no later than the demand reads they replace. The expectation is
// that property, not a figure: each run is compared with the same trace without prefetchers.
// (A prefetch timed from its trigger's data return made the L2 stream prefetcher alone cut a
// 16 MiB read from 11.8 to 6.6 GB/s on virt-4g-mte; docs/fidelity.md, "Cores".)
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace mtesim;
using test::in_child;

namespace {
constexpr std::uint64_t kBase = 0x80000000ull;
constexpr std::uint64_t kPages = 1024, kLines = kPages * 64; /* 4 MiB: 8x the L2 */

std::string hex_of(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

/* Touch every page (the faults zero them), then read line after line between two markers, on
 * core 1 (core 0 also ran the boot); a copy stores each line into a second 4 MiB as well. */
std::string stream_trace(bool copy) {
    const std::uint64_t pages = copy ? 2 * kPages : kPages, to = kBase + kPages * 4096;
    std::string s = "thread 1 core=1\n1 mmap " + hex_of(kBase) + " " + hex_of(pages * 4096) + "\n";
    for (std::uint64_t p = 0; p < pages; ++p) s += "1 st " + hex_of(kBase + p * 4096) + " 8\n";
    s += "1 ld 0x10 8\n";
    for (std::uint64_t l = 0; l < kLines; ++l) {
        s += "1 ld " + hex_of(kBase + l * 64) + " 64\n";
        if (copy) s += "1 st " + hex_of(to + l * 64) + " 64\n";
    }
    return s + "1 ld 0x10 8\n";
}

struct StreamRun {
    std::uint64_t ps;       /* the read pass, between the markers */
    std::uint64_t useful;   /* prefetches the pass used, either level */
    std::uint64_t issued;
    std::uint64_t l2_buffer_waits; /* prefetches that waited for an L2 miss buffer */
    std::uint64_t demand_waits;    /* demand accesses that did */
    std::uint64_t peak;            /* most L2 miss buffers held at once */
};

StreamRun run_stream(const char *l1d, const char *l2, const char *model = "ooo", const std::string &extra = "",
                     bool copy = false) {
    return in_child<StreamRun>([&] {
        std::vector<std::string> sets = {"core.on_fault=continue", std::string("core.model=") + model, "l2.size=524288",
                                         std::string("l1d.prefetcher=") + l1d, std::string("l2.prefetcher=") + l2};
        if (!extra.empty()) sets.push_back(extra);
        const RunResult r = test::run_text_trace("pftime", stream_trace(copy), sets);
        StreamRun s{};
        if (r.faults.size() >= 2) s.ps = r.faults[1].time_ps - r.faults[0].time_ps;
        const CoreStats &c = r.cores[1];
        s.useful = c.prefetch_useful + c.l2_prefetch_useful;
        s.issued = c.prefetch_issued + c.l2_prefetch_issued;
        s.l2_buffer_waits = c.prefetch_l2_buffer_waits;
        s.demand_waits = c.demand_l2_buffer_waits;
        s.peak = c.l2_buffers_peak;
        return s;
    });
}
}  // namespace

TEST(PrefetchTiming, EachPrefetcherOnlySpeedsASequentialStream) {
    const StreamRun none = run_stream("none", "none");
    ASSERT_GT(none.ps, 0u);
    for (const auto &[l1d, l2] : std::vector<std::pair<const char *, const char *>>{
             {"none", "stream"}, {"stride", "none"}, {"stride", "stream"}}) {
        const StreamRun with = run_stream(l1d, l2);
        ASSERT_GT(with.ps, 0u) << l1d << " + " << l2;
        EXPECT_GT(with.useful, kLines / 2) << l1d << " + " << l2 << ": most of the stream came from prefetches";
        EXPECT_LE(with.ps, none.ps) << "l1d.prefetcher=" << l1d << ", l2.prefetcher=" << l2
                                    << ": a stream whose prefetches are used is no slower than without them";
    }
}

/*
 * An in-order core blocks on its own misses, but not on its prefetchers' (docs/timing-model.md,
 * "Prefetchers", in-order cores): the stride prefetcher, once confirmed, has up to
 * l1d.prefetch_degree (4) lines of the stream in flight beside the demand miss, so the pass takes
 * well under half the time it takes without it (each demand read waits for one round trip
 * without prefetches; with them it waits for what is left of a prefetch that left up to 4 lines
 * earlier). The L2 stream prefetcher overlaps its 8 lines the same way. Before 2026-12-03 both
 * keys were silently ignored on an in-order core, and each run equalled the run without.
 */
TEST(PrefetchTiming, AnInOrderCoresPrefetchersOverlapItsStream) {
    const StreamRun none = run_stream("none", "none", "inorder");
    ASSERT_GT(none.ps, 0u);
    EXPECT_EQ(none.issued, 0u);
    for (const auto &[l1d, l2] : std::vector<std::pair<const char *, const char *>>{{"stride", "none"}, {"none", "stream"}}) {
        const StreamRun with = run_stream(l1d, l2, "inorder");
        ASSERT_GT(with.ps, 0u) << l1d << " + " << l2;
        EXPECT_GT(with.useful, kLines / 2) << l1d << " + " << l2 << ": most of the stream came from prefetches";
        EXPECT_LT(2 * with.ps, none.ps) << "l1d.prefetcher=" << l1d << ", l2.prefetcher=" << l2
                                        << ": an in-order core's prefetches overlap its demand misses";
    }
}

/*
 * The private L2's miss buffers (l2.mshrs) are held by the prefetches that miss the L2 as well
 * as by demand misses (docs/timing-model.md, "Limits"). With two of them, at most two lines of
 * the stream are on their way from beyond the L2 at a time, so the pass moves at most two
 * lines per round trip: far slower than with the presets' 46, where the prefetchers keep many
 * lines in flight, and prefetches are seen waiting. Before 2026-12-03 prefetches held none, and
 * l2.mshrs bound only demand misses, which the prefetchers had turned into hits.
 */
TEST(PrefetchTiming, PrefetchesWaitForTheL2sMissBuffers) {
    const StreamRun many = run_stream("stride", "stream", "ooo", "l2.mshrs=46");
    const StreamRun two = run_stream("stride", "stream", "ooo", "l2.mshrs=2");
    ASSERT_GT(many.ps, 0u);
    ASSERT_GT(two.ps, 0u);
    EXPECT_GT(two.l2_buffer_waits, 0u) << "with two buffers, prefetches find them held";
    std::printf("4 MiB read pass: l2.mshrs=46 %.1f us (%llu prefetches and %llu demand accesses waited), "
                "l2.mshrs=2 %.1f us (%llu and %llu)\n",
                static_cast<double>(many.ps) / 1e6, static_cast<unsigned long long>(many.l2_buffer_waits),
                static_cast<unsigned long long>(many.demand_waits), static_cast<double>(two.ps) / 1e6,
                static_cast<unsigned long long>(two.l2_buffer_waits), static_cast<unsigned long long>(two.demand_waits));
    EXPECT_GT(two.ps, 2 * many.ps) << "two lines per round trip at most";
    EXPECT_GT(two.useful, kLines / 2) << "the prefetches wait, they are not dropped";
    EXPECT_EQ(two.peak, 2u) << "both buffers used, never a third";
    EXPECT_LE(many.peak, 46u);
}

/*
 * A copy (a load and a store per line, two streams) on the out-of-order and the in-order core:
 * whatever mix of demand misses, stores and prefetches holds the L2's miss buffers, never more
 * than l2.mshrs are held at once. Before 2026-12-03 (afternoon) a load that merged into a late
 * prefetch was counted as a second holder of the prefetch's buffer, and a demand miss's buffer
 * was not seen by the stream prefetches it triggered: the copy reached 52 of 46.
 */
TEST(PrefetchTiming, TheL2sMissBuffersAreNeverOverfilled) {
    for (const char *model : {"ooo", "inorder"})
        for (const unsigned mshrs : {46u, 8u}) {
            const StreamRun r = run_stream("stride", "stream", model, "l2.mshrs=" + std::to_string(mshrs), true);
            ASSERT_GT(r.ps, 0u) << model;
            EXPECT_GT(r.peak, 0u) << model << ": the copy misses the L2";
            EXPECT_LE(r.peak, mshrs) << model << ", l2.mshrs=" << mshrs;
            std::printf("4 MiB copy, %s, l2.mshrs=%u: %.1f us, peak %llu buffers, %llu prefetches and %llu demand accesses waited\n",
                        model, mshrs, static_cast<double>(r.ps) / 1e6, static_cast<unsigned long long>(r.peak),
                        static_cast<unsigned long long>(r.l2_buffer_waits), static_cast<unsigned long long>(r.demand_waits));
        }
}
