// An L2 that several cpus name in next-level-cache (docs/bindings.md; a Cortex-A510 complex, a
// cluster's L2): one cache for them all. A line one core brought in is an L2 hit for the other,
// and a tag store by one keeps the shared copy (with the new tags) while the other core's L1D
// copy loses its tags.
#include "child_run.h"
#include "model_run.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace mtesim;

namespace {

constexpr std::uint64_t kBase = 0x80000000, kSet = 256 * 1024; /* 4x the A710's 64 KiB L1D, half a 512 KiB L2 */
constexpr std::uint64_t kLines = kSet / 64;

std::string op(const char *what, std::uint64_t a) {
    char b[64];
    std::snprintf(b, sizeof b, "%s 0x%llx 8\n", what, static_cast<unsigned long long>(a));
    return b;
}

/* virt-4g-mte (four Cortex-A710s) with cpu@0 and cpu@1 naming one 512 KiB, 8-way L2 node. */
PlatformDesc complex_board(bool shared) {
    PlatformDesc d = BoardLoader::load("virt-4g-mte");
    CacheNodeDesc l2;
    l2.path = "/cpus/l2-cache0";
    l2.size_bytes = 512 * 1024;
    l2.sets = 1024;
    l2.line_bytes = 64;
    d.l2_caches.push_back(l2);
    d.cpus[0].l2_cache = 0;
    if (shared) {
        d.cpus[1].l2_cache = 0;
    } else {
        l2.path = "/cpus/l2-cache1";
        d.l2_caches.push_back(l2);
        d.cpus[1].l2_cache = 1;
    }
    return d;
}

const std::vector<std::string> kNoPrefetch = {"l1d.prefetcher=none", "l2.prefetcher=none"};

/* Thread 1 on core 0 loads every line of kSet, then 128 KiB of other lines, which move kSet's
 * last lines out of its L1D (into the L2: the fault's zeroing left them dirty); later thread 2
 * on core 1 loads kSet again. */
std::string peer_reads() {
    std::string s = "thread 1 core=0\nthread 2 core=1\n1 mmap 0x80000000 0x60000\n";
    for (std::uint64_t a = kBase; a < kBase + kSet + 128 * 1024; a += 64) s += op("1 ld", a);
    s += "2 compute 20000000\n";
    for (std::uint64_t a = kBase; a < kBase + kSet; a += 64) s += op("2 ld", a);
    return s;
}

}  // namespace

TEST(SharedL2, ACoreFindsTheLinesItsComplexPeerBroughtIn) {
    RunResult r = test::run_text_trace("sl2", peer_reads(), kNoPrefetch, complex_board(true));
    const CoreStats &c1 = r.cores[1];
    EXPECT_GE(c1.l2_hits, kLines * 9 / 10) << "core 1's L1D misses find core 0's lines in the L2 they share";
    EXPECT_LT(c1.llc_hits + c1.llc_misses, kLines / 10) << "the LLC is hardly asked";
}

TEST(SharedL2, WithAnL2NodeEachTheSecondCoreGoesToTheLlc) {
    RunResult r = test::run_text_trace("sl2", peer_reads(), kNoPrefetch, complex_board(false));
    const CoreStats &c1 = r.cores[1];
    EXPECT_LT(c1.l2_hits, kLines / 10) << "core 1's own L2 never held core 0's lines";
    EXPECT_GE(c1.llc_hits, kLines * 9 / 10);
}

namespace {

struct TagFigures {
    std::size_t faults;
    std::uint32_t fault_thread;
    std::uint64_t l1_misses, l2_hits, llc;
};

TagFigures tag_run(bool shared, bool last_load) {
    // Thread 1 (core 0) loads p, caching its line and tags in its L1D and the L2. Thread 2
    // (core 1) retags p's granule; then thread 1 loads p again with its old pointer.
    std::string s = "thread 1 core=0 tcf=sync exclude=0x1\nthread 2 core=1 tcf=sync exclude=0x1\n"
                    "1 mmap 0x80000000 0x100000 mte\n1 irg p 0x80000000\n1 stg p\n1 ld p 8\n"
                    "2 compute 8000000\n2 irg n 0x80000000\n2 addg n p 0 1\n2 stg n\n1 compute 40000000\n";
    if (last_load) s += "1 ld p 8\n";
    return test::in_child<TagFigures>([&] {
        RunResult r = test::run_text_trace("sl2", s, kNoPrefetch, complex_board(shared));
        const CoreStats &c = r.cores[0];
        return TagFigures{r.faults.size(), r.faults.empty() ? 0u : r.faults[0].thread, c.l1_misses, c.l2_hits,
                          c.llc_hits + c.llc_misses};
    });
}

}  // namespace

TEST(SharedL2, ATagStoreOnThePeerKeepsTheSharedCopyWithItsNewTags) {
    // The old pointer must fault; core 0's L1D copy lost its tags, and the reload finds them
    // in the L2 when the L2 is shared (a private L2's copy is dropped by the peer's tag store,
    // and the reload goes to the LLC). Measured as the difference between the run with the
    // last load and the run without it.
    for (const bool shared : {true, false}) {
        SCOPED_TRACE(shared ? "shared L2" : "an L2 each");
        const TagFigures a = tag_run(shared, false), b = tag_run(shared, true);
        EXPECT_EQ(a.faults, 0u);
        ASSERT_EQ(b.faults, 1u) << "the old pointer's tag no longer matches";
        EXPECT_EQ(b.fault_thread, 1u);
        EXPECT_EQ(b.l1_misses - a.l1_misses, 1u) << "the L1D copy lost its tags";
        if (shared) {
            EXPECT_EQ(b.l2_hits - a.l2_hits, 1u) << "the shared L2 kept the line with its new tags";
            EXPECT_EQ(b.llc, a.llc);
        } else {
            EXPECT_EQ(b.l2_hits, a.l2_hits) << "core 0's private L2 copy lost its tags to the peer's store";
            EXPECT_EQ(b.llc - a.llc, 1u);
        }
    }
}

TEST(SharedL2, TheUsersL2SizeZeroRemovesTheComplexesL2) {
    // The phone board's A510 complexes name 256 KiB L2 nodes; l2.size=0 from the user (over the
    // nodes' cache-size) leaves every core without an L2, as on any board.
    RunResult r = test::run_text_trace("sl2", peer_reads(), {"l2.size=0", "l1d.prefetcher=none", "l2.prefetcher=none"},
                                      BoardLoader::load("phone-8g-lpddr5"));
    EXPECT_EQ(r.cores[0].l2_hits + r.cores[0].l2_misses, 0u);
    EXPECT_EQ(r.cores[1].l2_hits + r.cores[1].l2_misses, 0u);
    EXPECT_GE(r.cores[1].llc_hits, kLines * 9 / 10);
}

namespace {

/* Thread 1 (core 0) tags p's granule, then loads 128 KiB of other lines, which move p's line out
 * of its L1D into the L2 both cores share. Thread 2 (core 1) loads p (unless @peer_load is
 * false): an L2 hit, so core 1's L1D takes the line and its tags from the shared L2, not from the
 * LLC. Thread 1 then retags the granule (n: p's tag plus one), taking the line back from the L2.
 * Thread 2 loads through @pointer (none: no last load). */
struct PeerCopy {
    std::size_t faults;
    std::uint64_t l2_hits, llc; /* core 1's */
};
PeerCopy peer_copy(bool peer_load, const char *pointer) {
    std::string s = "thread 1 core=0 tcf=sync exclude=0x1\nthread 2 core=1 tcf=sync exclude=0x1\n"
                    "1 mmap 0x80000000 0x100000 mte\n1 irg p 0x80000000\n1 stg p\n";
    for (std::uint64_t a = kBase + 64; a < kBase + 64 + 128 * 1024; a += 64) s += op("1 ld", a);
    s += "2 compute 8000000\n";
    if (peer_load) s += "2 ld p 8\n";
    s += "1 compute 16000000\n1 addg n p 0 1\n1 stg n\n2 compute 40000000\n";
    if (*pointer) s += std::string("2 ld ") + pointer + " 8\n";
    return test::in_child<PeerCopy>([&] {
        RunResult r = test::run_text_trace("sl2", s, kNoPrefetch, complex_board(true));
        const CoreStats &c = r.cores[1];
        return PeerCopy{r.faults.size(), c.l2_hits, c.llc_hits + c.llc_misses};
    });
}

}  // namespace

TEST(SharedL2, ATagStoreReachesTheCopyAPeersL1DTookFromTheSharedL2) {
    // The setting: core 1's load of p hits the shared L2 and does not ask the LLC.
    const PeerCopy without = peer_copy(false, ""), with = peer_copy(true, "");
    ASSERT_EQ(with.l2_hits - without.l2_hits, 1u) << "core 1 took p's line from the shared L2";
    ASSERT_EQ(with.llc, without.llc);
    // Core 1's L1D copy came from the shared L2, not the LLC; the tag store on core 0 must still
    // take its tags away, so that core 1 checks against the new tag: the new pointer passes and
    // the old one faults (with the old tags kept, both would do the opposite).
    EXPECT_EQ(peer_copy(true, "n").faults, 0u) << "the new tag matches";
    EXPECT_EQ(peer_copy(true, "p").faults, 1u) << "the old tag no longer does";
}
