// Cache (LRU, eviction), Tlb, TagCache, LatencyHistogram,
// Workload demultiplexing and SyntheticSource determinism.
#include "mtesim/cache/cache.h"
#include "mtesim/cache/tlb.h"
#include "mtesim/mte/tag_cache.h"
#include "mtesim/stats/latency_histogram.h"
#include "mtesim/trace/synthetic_source.h"
#include "mtesim/trace/workload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace mtesim;

TEST(Cache, LruEvictionWithinASet) {
    Cache c(CacheConfig{4 * 2 * 64, 2, 64}); /* 4 sets, 2 ways */
    CacheLine v;
    c.insert(0, v);
    c.insert(4, v); /* same set 0 */
    ASSERT_TRUE(c.find(0));
    c.find(0)->dirty = true;
    EXPECT_TRUE(c.find(4));
    c.insert(8, v); /* evicts 0 (least recently used) */
    EXPECT_EQ(v.line(), 0u);
    EXPECT_TRUE(v.dirty);
    EXPECT_FALSE(c.find(0));
    EXPECT_TRUE(c.find(4));
    EXPECT_TRUE(c.peek(8));
    c.invalidate(8);
    EXPECT_FALSE(c.peek(8));
}

namespace {
/* True LRU with 64-bit use counts that never wrap: the victim is the first way of the smallest
 * count, 0 for a way never used or invalidated. */
struct ReferenceLru {
    struct Way {
        std::uint64_t line = ~0ull, use = 0;
        bool dirty = false;
    };
    std::uint64_t sets, ways, clock = 0;
    std::vector<Way> w;
    ReferenceLru(std::uint64_t s, std::uint64_t n) : sets(s), ways(n), w(s * n) {}
    Way *set(std::uint64_t line) { return &w[(line % sets) * ways]; }
    Way *find(std::uint64_t line) {
        for (Way *x = set(line); x != set(line) + ways; ++x)
            if (x->line == line) {
                x->use = ++clock;
                return x;
            }
        return nullptr;
    }
    Way insert(std::uint64_t line) { /* returns the victim */
        Way *v = set(line);
        for (Way *x = v; x != set(line) + ways; ++x)
            if (x->use < v->use) v = x;
        const Way old = *v;
        *v = Way{line, ++clock, false};
        return old;
    }
    void invalidate(std::uint64_t line) {
        for (Way *x = set(line); x != set(line) + ways; ++x)
            if (x->line == line) *x = Way{};
    }
};
}  // namespace

TEST(Cache, StampWrapKeepsEveryVictimChoice) {
    /* 8 sets of 4 ways, 96 lines: many evictions and invalidations; the clock starts 3000
     * stamps before its 32-bit wrap, so the run crosses it and goes on for 17000 operations. */
    Cache c(CacheConfig{8 * 4 * 64, 4, 64});
    c.set_clock_for_test(~0u - 3000);
    ReferenceLru ref(8, 4);
    std::mt19937_64 rng(13);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t line = rng() % 96;
        const unsigned op = rng() % 8;
        SCOPED_TRACE("operation " + std::to_string(i) + " on line " + std::to_string(line));
        if (op < 3) { /* find, a store marks the line dirty */
            CacheLine *l = c.find(line);
            ReferenceLru::Way *r = ref.find(line);
            ASSERT_EQ(l != nullptr, r != nullptr);
            if (l && op == 0) l->dirty = r->dirty = true;
        } else if (op < 6) { /* find_or_insert */
            CacheLine victim;
            bool hit = false;
            c.find_or_insert(line, victim, hit);
            const bool ref_hit = ref.find(line) != nullptr;
            ASSERT_EQ(hit, ref_hit);
            if (!hit) {
                const ReferenceLru::Way v = ref.insert(line);
                ASSERT_EQ(victim.line(), v.line == ~0ull ? CacheLine::kInvalid : v.line);
                ASSERT_EQ(victim.dirty, v.dirty);
            }
        } else if (op == 6) { /* insert of a line not present */
            if (c.peek(line)) continue;
            CacheLine victim;
            c.insert(line, victim);
            const ReferenceLru::Way v = ref.insert(line);
            ASSERT_EQ(victim.line(), v.line == ~0ull ? CacheLine::kInvalid : v.line);
            ASSERT_EQ(victim.dirty, v.dirty);
        } else {
            c.invalidate(line);
            ref.invalidate(line);
        }
    }
    /* The stamps were renumbered: a line used now has a stamp far below where the clock began. */
    CacheLine victim;
    bool hit = false;
    EXPECT_LT(c.find_or_insert(5, victim, hit)->lru, 100000u);
}

/* peek() remembers its last miss and answers an empty cache without a scan: neither may hide a
 * line that entered since (by insert or find_or_insert) nor one that was invalidated. */
TEST(Cache, PeekAgreesWithPresenceThroughMissesInsertsAndInvalidations) {
    Cache c(CacheConfig{4 * 2 * 64, 2, 64}); /* 4 sets, 2 ways */
    CacheLine victim;
    bool hit = false;
    EXPECT_FALSE(c.peek(3));     /* empty */
    EXPECT_FALSE(c.peek(3));     /* the remembered miss */
    c.insert(3, victim);
    ASSERT_TRUE(c.peek(3));      /* inserted after the miss */
    EXPECT_EQ(c.peek(3)->line(), 3u);
    EXPECT_FALSE(c.peek(7));     /* same set, absent */
    c.find_or_insert(7, victim, hit);
    EXPECT_FALSE(hit);
    EXPECT_TRUE(c.peek(7));      /* entered by find_or_insert after the miss */
    c.invalidate(3);
    c.invalidate(7);
    EXPECT_FALSE(c.peek(3));
    EXPECT_FALSE(c.peek(7));     /* empty again */
    c.insert(7, victim);
    EXPECT_TRUE(c.peek(7));
    EXPECT_FALSE(c.peek(3));

    /* Random operations against the reference's presence: 5 sets' worth of lines in 4 sets. */
    Cache r(CacheConfig{4 * 2 * 64, 2, 64});
    ReferenceLru ref(4, 2);
    std::mt19937_64 rng(29);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t line = rng() % 20;
        const unsigned op = rng() % 4;
        SCOPED_TRACE("operation " + std::to_string(i) + " on line " + std::to_string(line));
        if (op == 0) {
            const bool present = std::any_of(ref.w.begin(), ref.w.end(), [&](const ReferenceLru::Way &w) { return w.line == line; });
            ASSERT_EQ(r.peek(line) != nullptr, present);
        } else if (op == 1) {
            r.find_or_insert(line, victim, hit);
            if (!ref.find(line)) ref.insert(line);
        } else if (op == 2) {
            if (r.peek(line)) continue;
            r.insert(line, victim);
            ref.insert(line);
        } else {
            r.invalidate(line);
            ref.invalidate(line);
        }
    }
}

TEST(Tlb, HitsMissesAndFlush) {
    Tlb t(8, 2);
    EXPECT_FALSE(t.lookup(5));
    t.insert(5, 0x80005, true);
    ASSERT_TRUE(t.lookup(5));
    EXPECT_EQ(t.lookup(5)->pfn, 0x80005u);
    EXPECT_TRUE(t.lookup(5)->tagged);
    t.flush();
    EXPECT_FALSE(t.lookup(5));
}

TEST(TagCache, HitsMissesAndDirtyWritebacks) {
    TagCache c(TagCacheConfig{2 * 64, 2, 64}); /* one set, two ways */
    EXPECT_FALSE(c.access(TagAddr(0x1000), true).hit);
    EXPECT_TRUE(c.access(TagAddr(0x1010), false).hit) << "same 64-byte line";
    EXPECT_FALSE(c.access(TagAddr(0x2000), false).hit);
    auto o = c.access(TagAddr(0x3000), false); /* evicts the dirty 0x1000 line */
    ASSERT_TRUE(o.writeback);
    EXPECT_EQ(*o.writeback, TagAddr(0x1000));
    EXPECT_EQ(c.stats().hits, 1u);
    EXPECT_EQ(c.stats().misses, 3u);
    EXPECT_EQ(c.stats().writebacks, 1u);
    TagCache none(TagCacheConfig{0, 1, 64});
    EXPECT_FALSE(none.access(TagAddr(0), false).hit);
    EXPECT_TRUE(none.access(TagAddr(0), true).writeback) << "without a tag cache every tag write goes to DRAM";
}

TEST(Tlb, EntriesAreTaggedByAsidAndFlushedByKeyOrAsid) {
    Tlb tlb(64, 4);
    tlb.insert(Tlb::key(1, 0x10), 0x80010, false);
    tlb.insert(Tlb::key(2, 0x10), 0x90010, true);
    ASSERT_NE(tlb.lookup(Tlb::key(1, 0x10)), nullptr);
    EXPECT_EQ(tlb.lookup(Tlb::key(1, 0x10))->pfn, 0x80010u);
    EXPECT_EQ(tlb.lookup(Tlb::key(2, 0x10))->pfn, 0x90010u) << "same page, other address space";
    tlb.flush_key(Tlb::key(1, 0x10));
    EXPECT_EQ(tlb.lookup(Tlb::key(1, 0x10)), nullptr);
    ASSERT_NE(tlb.lookup(Tlb::key(2, 0x10)), nullptr);
    tlb.insert(Tlb::key(2, 0x11), 0x90011, true);
    tlb.insert(Tlb::key(3, 0x11), 0xa0011, true);
    tlb.flush_asid(2);
    EXPECT_EQ(tlb.lookup(Tlb::key(2, 0x10)), nullptr);
    EXPECT_EQ(tlb.lookup(Tlb::key(2, 0x11)), nullptr);
    EXPECT_NE(tlb.lookup(Tlb::key(3, 0x11)), nullptr);
}

TEST(LatencyHistogram, MeanAndPercentiles) {
    LatencyHistogram h;
    for (int i = 1; i <= 100; ++i) h.add(static_cast<std::uint64_t>(i));
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
    EXPECT_EQ(h.percentile(0.99), 99u);
    EXPECT_EQ(h.percentile(0.5), 50u);
    h.add(100000);
    EXPECT_EQ(h.max(), 100000u);
    EXPECT_GE(h.percentile(1.0), 65536u);
    EXPECT_LE(h.percentile(1.0), 100000u);
}

namespace {
/* The generated workload read as one interleaved stream (its next()), as a trace file is read:
 * Workload's read-ahead and queues at work. */
class Interleaved : public IEventSource {
public:
    explicit Interleaved(const SyntheticParams &p) : m_src(p) {}
    bool next(TraceEvent &out) override { return m_src.next(out); }
    std::string name_of(std::uint32_t id) const override { return m_src.name_of(id); }
    std::uint32_t name_count() const override { return m_src.name_count(); }
    std::string description() const override { return m_src.description(); }

private:
    SyntheticSource m_src;
};
}  // namespace

TEST(Workload, DemultiplexesThreadsAndReportsCreations) {
    SyntheticParams p;
    p.threads = 3;
    p.accesses_per_thread = 50;
    Workload w(std::make_unique<Interleaved>(p));
    std::vector<std::uint32_t> created;
    bool ended = false;
    w.set_listener([&](const ThreadInfo *t) {
        if (t) created.push_back(t->id);
        else ended = true;
    });
    // Drain thread 2 first: threads 0 and 1's events are buffered meanwhile.
    TraceEvent ev;
    std::uint64_t n2 = 0, accesses = 0;
    while (w.next(2, ev)) {
        EXPECT_EQ(ev.thread, 2u);
        ++n2;
        accesses += ev.op == TraceOp::load || ev.op == TraceOp::store;
    }
    EXPECT_EQ(accesses, 50u);
    EXPECT_TRUE(ended);
    EXPECT_EQ(created, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_GT(w.buffered(), 0u);
    std::uint64_t n0 = 0;
    while (w.next(0, ev)) ++n0;
    EXPECT_EQ(n0, n2);
    w.discard(1);
    EXPECT_FALSE(w.next(1, ev));
    EXPECT_EQ(w.buffered(), 0u);
}

/* next_of() makes each thread's events on demand: the same events, with the same positions, as
 * the round-robin stream of next() split by thread (with and without the use after free, which
 * makes thread 0 one event longer). */
TEST(SyntheticSource, PerThreadStreamsAreTheRoundRobinStreamSplit) {
    for (const bool uaf : {false, true})
        for (const std::uint32_t threads : {1u, 3u, 7u}) {
            SCOPED_TRACE(std::to_string(threads) + (uaf ? " threads, use after free" : " threads"));
            SyntheticParams p;
            p.threads = threads;
            p.accesses_per_thread = 300;
            p.accesses_per_chunk = 7;
            p.use_after_free = uaf;
            using Key = std::tuple<int, std::uint64_t, std::uint32_t, std::uint32_t, std::uint64_t, std::int64_t, std::uint64_t, std::uint32_t>;
            auto key = [](const TraceEvent &e) {
                return Key(static_cast<int>(e.op), e.position, e.dest, e.src.name, e.src.raw, e.src.offset, e.arg, e.aux);
            };
            std::vector<std::vector<Key>> split(threads), own(threads);
            SyntheticSource a(p), b(p);
            TraceEvent ev;
            std::uint64_t n = 0;
            while (a.next(ev)) {
                ASSERT_EQ(ev.position, ++n);
                split.at(ev.thread).push_back(key(ev));
            }
            // Read b's threads in reverse order, each to its end: nothing depends on the others.
            for (std::uint32_t t = threads; t-- > 0;)
                while (b.next_of(t, ev)) {
                    ASSERT_EQ(ev.thread, t);
                    own[t].push_back(key(ev));
                }
            EXPECT_EQ(own, split);
            EXPECT_EQ(b.thread_count(), threads);
        }
}

/* A run's Workload reads the generated workload per thread: threads are announced one per
 * pump, in order; then any thread's stream is read with nothing buffered for the others, its
 * events indexed by their position; a killed thread's rest is still counted as read. */
TEST(Workload, ReadsAPerThreadSourceWithoutBuffering) {
    SyntheticParams p;
    p.threads = 3;
    p.accesses_per_thread = 50;
    Workload w(std::make_unique<SyntheticSource>(p));
    std::vector<std::uint32_t> created;
    bool ended = false;
    w.set_listener([&](const ThreadInfo *t) {
        if (t) created.push_back(t->id);
        else ended = true;
    });
    EXPECT_TRUE(w.pump());
    EXPECT_EQ(created, (std::vector<std::uint32_t>{0}));
    EXPECT_FALSE(ended);
    TraceEvent ev;
    std::uint64_t n2 = 0, accesses = 0;
    while (w.next(2, ev)) { /* before its creation was pumped: all are announced first */
        EXPECT_EQ(ev.thread, 2u);
        EXPECT_NE(ev.op, TraceOp::thread_create);
        EXPECT_EQ(ev.index, ev.position);
        EXPECT_EQ(ev.position % 3, 0u) << "thread 2's events are every third of the round robin";
        ++n2;
        accesses += ev.op == TraceOp::load || ev.op == TraceOp::store;
    }
    EXPECT_EQ(accesses, 50u);
    EXPECT_EQ(created, (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_TRUE(ended);
    EXPECT_TRUE(w.exhausted());
    EXPECT_EQ(w.buffered(), 0u);
    std::uint64_t n0 = 0;
    while (w.next(0, ev)) ++n0;
    EXPECT_EQ(n0, n2);
    ASSERT_TRUE(w.next(1, ev));
    w.discard(1);
    EXPECT_FALSE(w.next(1, ev));
    EXPECT_EQ(w.events_read(), 3 * (n2 + 1)) << "every event of every thread, creations included";
}

TEST(SyntheticSource, SameSeedSameEventsOtherSeedOtherTags) {
    auto events = [](std::uint64_t seed) {
        SyntheticParams p;
        p.threads = 2;
        p.accesses_per_thread = 200;
        p.seed = seed;
        SyntheticSource s(p);
        std::vector<std::tuple<int, std::uint32_t, std::uint64_t, std::int64_t, std::uint64_t>> out;
        TraceEvent ev;
        while (s.next(ev)) out.emplace_back(static_cast<int>(ev.op), ev.thread, ev.src.raw, ev.src.offset, ev.arg);
        return out;
    };
    EXPECT_EQ(events(7), events(7));
    EXPECT_NE(events(7), events(8));
}
