// Cache maintenance of a tag block changing use (issue #14): the lines of the range really
// leave every core's L1D, the shared LLC and the DRAM controllers' tag caches, and nothing
// outside the range moves.
#include "core/memory_path.h"

#include "mtesim/dt/platform_desc.h"
#include "mtesim/mte/tag_layout.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

CacheConfig cache(std::uint64_t bytes, std::uint32_t ways) {
    CacheConfig c;
    c.size_bytes = bytes;
    c.ways = ways;
    c.line_bytes = 64;
    return c;
}

/* The path's TLM socket needs a module around it; invalidate_range sends nothing on it. */
struct SocketHolder : sc_core::sc_module {
    tlm::tlm_initiator_socket<> socket;
    explicit SocketHolder(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
};

}  // namespace

TEST(CacheMaintenance, InvalidateRangeDropsTheBlockFromEveryCacheAndTheTagCache) {
    CoreConfig cfg;
    cfg.l1d = cache(32 << 10, 4);
    cfg.llc = cache(1 << 20, 16);
    LocalClock clock(2000000000);
    CoreStats stats;
    Cache other_l1(cfg.l1d), llc(cfg.llc);
    TagCacheConfig tc;
    tc.size_bytes = 16 << 10;
    tc.ways = 4;
    tc.line_bytes = 64;
    TagCache tag_cache(tc);
    SharedCaches shared;
    shared.llc = &llc;
    shared.tag_caches.push_back(&tag_cache);
    PlatformDesc desc;
    TagLayout layout(desc);
    SparseMemory memory;
    TagStore tags(layout, memory);
    const bool exclusive = true;
    SocketHolder holder("holder");
    TimingModel timing(cfg, clock);
    MemoryPath path(0, cfg, clock, stats, shared, tags, memory, exclusive, holder.socket, timing);
    shared.l1s = {&path.l1(), &other_l1};
    Cache other_l2(cfg.llc); /* the other core's private L2 */
    shared.l2s.resize(2);
    shared.l2s[1] = &other_l2;

    // A one-page block at 0x84000000: lines 0..63. Line 3 is cached (dirty) in this core's L1,
    // line 10 in the other core's L1, line 20 in the LLC, line 30 in the other core's L2, and line 64 (the next page) in all.
    const std::uint64_t base = 0x84000000ull >> 6;
    CacheLine victim;
    path.l1().insert(base + 3, victim)->dirty = true;
    other_l1.insert(base + 10, victim);
    llc.insert(base + 20, victim);
    other_l2.insert(base + 30, victim);
    for (Cache *c : {&path.l1(), &other_l1, &other_l2, &llc}) c->insert(base + 64, victim);
    tag_cache.access(TagAddr(0x84000000ull + 128), true);   /* a tag line of the block, dirty */
    tag_cache.access(TagAddr(0x84000000ull + 4096), false); /* the next page's */
    ASSERT_TRUE(tag_cache.present(TagAddr(0x84000000ull + 128)));

    EXPECT_EQ(path.invalidate_range(PhysAddr(0x84000000ull), 4096), 4u) << "four lines of the block were cached";
    EXPECT_EQ(other_l2.peek(base + 30), nullptr) << "and in the other core's private L2";
    EXPECT_EQ(path.l1().peek(base + 3), nullptr) << "a lookup of the block's line misses in this core's L1";
    EXPECT_EQ(other_l1.peek(base + 10), nullptr) << "and in the other core's L1";
    EXPECT_EQ(llc.peek(base + 20), nullptr) << "and in the LLC";
    EXPECT_FALSE(tag_cache.present(TagAddr(0x84000000ull + 128))) << "and in the tag cache";
    EXPECT_EQ(tag_cache.stats().writebacks, 0u) << "the dirty tag line was dropped, not written over the data";
    for (Cache *c : {&path.l1(), &other_l1, &other_l2, &llc}) EXPECT_NE(c->peek(base + 64), nullptr) << "the next page stays";
    EXPECT_TRUE(tag_cache.present(TagAddr(0x84000000ull + 4096)));
    EXPECT_EQ(clock.pending_cycles(), 0u) << "the path charges nothing: the kernel charges the maintenance per line";
}
