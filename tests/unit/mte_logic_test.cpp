// Plain-C++ MTE logic: TagCheckUnit (mode decisions, IRG exclusion, ChooseNonExcludedTag),
// TagStore nibble packing, pointer tag bits.
#include "mtesim/common/xorshift64_star.h"
#include "mtesim/mte/tag_check_unit.h"
#include "mtesim/mte/tag_store.h"

#include <gtest/gtest.h>

#include <set>

using namespace mtesim;

TEST(TagCheckUnit, ModeDecisions) {
    MteThreadState s;
    s.tcf = TcfMode::sync;
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, false), CheckOutcome::sync_fault);
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, true), CheckOutcome::sync_fault);
    EXPECT_FALSE(s.tfsr);
    s.tcf = TcfMode::async;
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, false), CheckOutcome::async_fault);
    EXPECT_TRUE(TagCheckUnit::take_async_fault(s));
    EXPECT_FALSE(TagCheckUnit::take_async_fault(s)) << "TFSR is cleared once delivered";
    s.tcf = TcfMode::asymm;
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, false), CheckOutcome::sync_fault);
    EXPECT_FALSE(s.tfsr);
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, true), CheckOutcome::async_fault);
    EXPECT_TRUE(s.tfsr);
    s = MteThreadState{};
    EXPECT_EQ(TagCheckUnit::on_mismatch(s, true), CheckOutcome::pass);
}

TEST(TagCheckUnit, IrgNeverReturnsAnExcludedTagAndCoversTheRest) {
    MteThreadState s;
    s.exclude = 0x0001;
    std::set<Tag> seen;
    for (int i = 0; i < 5000; ++i) {
        const Tag t = TagCheckUnit::irg(s, 0x8000);
        EXPECT_NE(t, 0);
        EXPECT_NE(t, 15);
        seen.insert(t);
    }
    EXPECT_EQ(seen.size(), 14u);
    EXPECT_EQ(TagCheckUnit::irg(s, 0xffff), 0) << "all excluded: tag 0";
    s.exclude = 0xfff7;
    EXPECT_EQ(TagCheckUnit::irg(s, 0), 3);
}

/* IRG picks uniformly among the allowed tags: with the random draw r, the
 * floor((r >> 32) * allowed / 2^32)-th allowed tag in increasing order, for every exclude mask. */
TEST(TagCheckUnit, IrgTakesThePickThAllowedTagForEveryMask) {
    MteThreadState s;
    s.rng = 0x9e3779b97f4a7c15ull;
    for (unsigned exclude = 0; exclude < 0xffff; ++exclude) {
        std::vector<Tag> allowed;
        for (unsigned t = 0; t < 16; ++t)
            if (!((exclude >> t) & 1)) allowed.push_back(static_cast<Tag>(t));
        for (int k = 0; k < 3; ++k) {
            std::uint64_t state = s.rng;
            const std::uint64_t r = xorshift64_star(state);
            const std::uint64_t pick = ((r >> 32) * allowed.size()) >> 32;
            s.exclude = static_cast<std::uint16_t>(exclude & 0xff00);
            ASSERT_EQ(TagCheckUnit::irg(s, static_cast<std::uint16_t>(exclude & 0x00ff)), allowed[pick]) << "exclude " << exclude;
            ASSERT_EQ(s.rng, state) << "one draw per IRG";
        }
    }
}

TEST(TagCheckUnit, ChooseNonExcludedTagFollowsTheArmPseudocode) {
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(3, 0, 0), 3);
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(3, 2, 0), 5);
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(15, 1, 0), 0) << "wraps";
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(15, 1, 0x0001), 1) << "skips excluded 0";
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(2, 0, 0x0004), 3) << "offset 0 moves off an excluded start";
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(2, 3, 0x0018), 7) << "3 steps over 3,4 excluded: 5,6,7";
    EXPECT_EQ(TagCheckUnit::choose_non_excluded(9, 4, 0xffff), 0);
}

TEST(PointerTags, BitsFiftyNineToFiftySix) {
    const VirtAddr p(0x0a00007f12345678ull);
    EXPECT_EQ(logical_tag(p), 0xa);
    EXPECT_EQ(with_tag(p, 3).value(), 0x0300007f12345678ull);
    EXPECT_EQ(untagged(VirtAddr(0xff00007f12345678ull)).value(), 0x7f12345678ull);
}

namespace {
/* One data range with its tag storage in the top 1/33 of a 2 GiB range (the RFC layout). */
PlatformDesc one_region() {
    PlatformDesc d;
    d.memories.push_back(MemoryDesc{"/m", AddrRange(PhysAddr(0x80000000), 0x7c000000), 1});
    d.tag_storage.push_back(TagStorageDesc{"/t", AddrRange(PhysAddr(0xfc000000), 0x3e00000), 0x1000, 0, true, TagBindingForm::v3});
    return d;
}
}  // namespace

TEST(TagStore, TwoTagsPerByteEvenGranuleLow) {
    TagLayout layout(one_region());
    SparseMemory mem;
    TagStore tags(layout, mem);
    EXPECT_TRUE(tags.set(PhysAddr(0x80000000), 0x3));
    EXPECT_TRUE(tags.set(PhysAddr(0x80000010), 0xc));
    EXPECT_EQ(mem.read_byte(PhysAddr(0xfc000000)), 0xc3);
    EXPECT_EQ(tags.get(PhysAddr(0x8000001f)), std::optional<Tag>(0xc));
    EXPECT_FALSE(tags.set(PhysAddr(0x1000), 1)) << "untagged memory";
    EXPECT_FALSE(tags.get(PhysAddr(0xfc000000))) << "tag storage holds no tags of its own";
    EXPECT_EQ(mem.resident_pages(), 1u);
    Tag in[4] = {1, 2, 3, 4}, out[4] = {};
    EXPECT_TRUE(tags.set_range(PhysAddr(0x80001000), 4, in));
    EXPECT_TRUE(tags.get_range(PhysAddr(0x80001000), 4, out));
    EXPECT_EQ(std::vector<Tag>(out, out + 4), std::vector<Tag>(in, in + 4));
}

/* The range calls read and write a region's tag bytes at once: they must agree with granule by
 * granule access for any start parity and length, and fail (or fall back) at region edges. */
TEST(TagStore, RangesAgreeWithGranuleAccessAtAnyParityAndLength) {
    TagLayout layout(one_region());
    SparseMemory mem;
    TagStore tags(layout, mem);
    std::uint64_t rng = 5;
    for (int round = 0; round < 500; ++round) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t granule = (rng >> 20) % 4096, count = 1 + (rng >> 40) % 700;
        const PhysAddr pa(0x80000000 + granule * 16);
        std::vector<Tag> in(count), out(count), one(count);
        for (std::uint64_t i = 0; i < count; ++i) in[i] = static_cast<Tag>((rng >> (i % 60)) & 0xf);
        // The neighbours on both sides must survive a range write.
        const Tag before = granule ? *tags.get(pa - 16) : 0, after = *tags.get(pa + count * 16);
        ASSERT_TRUE(tags.set_range(pa, count, in.data()));
        ASSERT_TRUE(tags.get_range(pa, count, out.data()));
        for (std::uint64_t i = 0; i < count; ++i) one[i] = *tags.get(pa + i * 16);
        ASSERT_EQ(out, in);
        ASSERT_EQ(one, in);
        if (granule) {
            ASSERT_EQ(*tags.get(pa - 16), before);
        }
        ASSERT_EQ(*tags.get(pa + count * 16), after);
    }
    Tag buf[4] = {};
    EXPECT_FALSE(tags.get_range(PhysAddr(0x80000000 + 0x7c000000 - 32), 4, buf)) << "runs out of tagged memory";
}

/* set_same (STG, ST2G, DC GZVA: one tag for every granule) writes only its granules, at any
 * start parity and length, leaves its neighbours alone, and fails where set_range fails. */
/* set_same keeps the region it wrote last: stores that alternate between two regions, and
 * stores at the first and last granules of each, land on the same tags as set() granule by
 * granule, and one that runs past a region's end still fails. */
TEST(TagStore, SetSameAcrossTwoRegionsMatchesSetPerGranule) {
    PlatformDesc d;
    d.memories.push_back(MemoryDesc{"/m0", AddrRange(PhysAddr(0x80000000), 0x100000), 1});
    d.memories.push_back(MemoryDesc{"/m1", AddrRange(PhysAddr(0x90000000), 0x100000), 2});
    d.tag_storage.push_back(TagStorageDesc{"/t0", AddrRange(PhysAddr(0xa0000000), 0x8000), 0x1000, 0, true, TagBindingForm::v3});
    d.tag_storage.push_back(TagStorageDesc{"/t1", AddrRange(PhysAddr(0xa0010000), 0x8000), 0x1000, 1, true, TagBindingForm::v3});
    TagLayout layout(d);
    SparseMemory mem_same, mem_one;
    TagStore same(layout, mem_same), one(layout, mem_one);
    std::uint64_t rng = 3;
    for (int round = 0; round < 400; ++round) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t base = (round & 1) ? 0x90000000 : 0x80000000, granules = 0x100000 / 16;
        const std::uint64_t count = 2 * (1 + (rng >> 50) % 4);
        /* every 8th store at the region's first granule pair, every 8th at its last ones */
        const std::uint64_t g = round % 8 == 0 ? 0 : round % 8 == 1 ? granules - count : 2 * ((rng >> 20) % (granules / 2 - 8));
        const PhysAddr pa(base + g * 16);
        const Tag tag = static_cast<Tag>((rng >> 8) & 0xf);
        ASSERT_TRUE(same.set_same(pa, count, tag));
        for (std::uint64_t i = 0; i < count; ++i) ASSERT_TRUE(one.set(pa + i * 16, tag));
        for (std::uint64_t i = 0; i < count; ++i) ASSERT_EQ(*same.get(pa + i * 16), tag);
    }
    for (std::uint64_t a = 0xa0000000; a < 0xa0018000; a += 8)
        ASSERT_EQ(mem_same.read_word(PhysAddr(a)), mem_one.read_word(PhysAddr(a))) << "tag byte " << a;
    ASSERT_TRUE(same.set_same(PhysAddr(0x90000000), 2, 1)); /* the second region is the one kept */
    EXPECT_FALSE(same.set_same(PhysAddr(0x90100000 - 32), 4, 5)) << "runs out of the region";
    EXPECT_FALSE(same.set_same(PhysAddr(0x90100000), 2, 5)) << "just past the region: untagged";
}

TEST(TagStore, SetSameWritesOneTagToItsGranulesOnly) {
    TagLayout layout(one_region());
    SparseMemory mem;
    TagStore tags(layout, mem);
    std::uint64_t rng = 11;
    for (int round = 0; round < 300; ++round) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        const std::uint64_t granule = 1 + (rng >> 20) % 4096, count = (rng >> 40) % 5 == 0 ? 2 : 1 + (rng >> 44) % 200;
        const PhysAddr pa(0x80000000 + granule * 16);
        const Tag tag = static_cast<Tag>((rng >> 8) & 0xf);
        const Tag before = static_cast<Tag>((tag + 1) & 0xf), after = static_cast<Tag>((tag + 2) & 0xf);
        ASSERT_TRUE(tags.set(pa - 16, before));
        ASSERT_TRUE(tags.set(pa + count * 16, after));
        ASSERT_TRUE(tags.set_same(pa, count, tag));
        for (std::uint64_t i = 0; i < count; ++i) ASSERT_EQ(*tags.get(pa + i * 16), tag) << "granule " << i << " of " << count;
        ASSERT_EQ(*tags.get(pa - 16), before);
        ASSERT_EQ(*tags.get(pa + count * 16), after);
    }
    EXPECT_TRUE(tags.set_same(PhysAddr(0x80000000), 0, 5)) << "no granules: nothing to do";
    EXPECT_FALSE(tags.set_same(PhysAddr(0x1000), 2, 5)) << "untagged memory";
    EXPECT_FALSE(tags.set_same(PhysAddr(0x80000000 + 0x7c000000 - 32), 4, 5)) << "runs out of tagged memory";
    EXPECT_EQ(*tags.get(PhysAddr(0x80000000 + 0x7c000000 - 32)), 5) << "granule by granule up to the end, as set_range";
}
