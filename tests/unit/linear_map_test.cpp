// Boot-time linear map (issue "Boot"): table counts per level against the closed form for
// each board and mapping mode, TLBIs per table for each scheme (2 remap-twice, 1 map-once,
// 0 for late tables), and a page walk through the created tables.
#include "mtesim/boot/base_cpi_instruction_stream.h"
#include "mtesim/boot/linear_map_builder.h"
#include "mtesim/boot/page_table_walker.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/mm/functional_kernel_memory.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace mtesim;
using namespace mtesim::pgtable;

namespace {


struct Built {
    SparseMemory mem;
    std::unique_ptr<Memblock> memblock;
    std::unique_ptr<FunctionalKernelMemory> kmem;
    std::unique_ptr<BaseCpiInstructionStream> stream;
    std::unique_ptr<DvmBroadcastModel> dvm;
    std::unique_ptr<LinearMapBuilder> builder;
    std::vector<AddrRange> early, late;
};

std::unique_ptr<Built> build(const PlatformDesc &d, bool blocks, bool map_once, bool with_late = true) {
    auto b = std::make_unique<Built>();
    for (const auto &m : d.memories) b->early.push_back(m.range);
    for (const auto &t : d.tag_storage)
        if (t.reusable && with_late) b->late.push_back(t.range);
    b->memblock = std::make_unique<Memblock>(b->early);
    b->kmem = std::make_unique<FunctionalKernelMemory>(b->mem);
    PhysAddr phys_offset = d.memories.front().range.base();
    for (const auto &m : d.memories) phys_offset = std::min(phys_offset, m.range.base());
    b->stream = std::make_unique<BaseCpiInstructionStream>(CoreConfig{}, nullptr);
    b->dvm = std::make_unique<DvmBroadcastModel>(d.topology, d.cpus.front().clock_hz, 30, 300);
    BootConfig config;
    config.block_mappings = blocks;
    config.map_once = map_once;
    b->builder = std::make_unique<LinearMapBuilder>(*b->memblock, *b->kmem, BootTiming{*b->stream, *b->dvm}, config,
                                                    phys_offset, true);
    for (const auto &r : b->early) b->builder->map(r, false);
    for (const auto &r : b->late) b->builder->map(r, true);
    return b;
}

/// Distinct level-@level table indices (VA >> shift(level - 1)) the ranges need, in pages mode;
/// with blocks, only the parts not covered by blocks of the level above.
std::uint64_t closed_form(const std::vector<AddrRange> &ranges, std::uint64_t phys_offset, unsigned level, bool blocks) {
    std::set<std::uint64_t> idx;
    const unsigned s = shift(level - 1);
    for (const auto &r : ranges) {
        const std::uint64_t va = kPageOffset + (r.base().value() - phys_offset), end = va + r.size();
        for (std::uint64_t a = va; a < end;) {
            const std::uint64_t next = std::min(end, ((a >> s) + 1) << s);
            // With blocks, an entry of the level above that the range covers whole needs no table.
            const bool covered = blocks && level >= 2 && a % (1ull << s) == 0 && next - a == (1ull << s);
            if (!covered) idx.insert(a >> s);
            a = next;
        }
    }
    return idx.size();
}

}  // namespace

TEST(LinearMap, TableCountsMatchTheClosedFormOnEveryBoardAndMode) {
    for (const auto &name : BuiltInBoards::names()) {
        const PlatformDesc d = BoardLoader::load(name);
        for (bool blocks : {false, true}) {
            SCOPED_TRACE(name + (blocks ? " blocks" : " pages"));
            auto b = build(d, blocks, true);
            std::vector<AddrRange> all = b->early;
            all.insert(all.end(), b->late.begin(), b->late.end());
            std::uint64_t phys_offset = ~0ull;
            for (const auto &m : d.memories) phys_offset = std::min(phys_offset, m.range.base().value());
            const auto &st = b->builder->stats();
            EXPECT_FALSE(st.out_of_memory);
            EXPECT_EQ(st.tables[1], closed_form(all, phys_offset, 1, blocks));
            EXPECT_EQ(st.tables[2], closed_form(all, phys_offset, 2, blocks));
            EXPECT_EQ(st.tables[3], closed_form(all, phys_offset, 3, blocks));
            if (!blocks) {
                std::uint64_t pages = 0;
                for (const auto &r : all) pages += r.size() / kPageSize;
                EXPECT_EQ(st.tables[3], (pages + 511) / 512) << "2 MiB-aligned ranges: one PTE table per 2 MiB";
            }
        }
    }
}

TEST(LinearMap, TlbisPerTable) {
    const PlatformDesc d = BoardLoader::load("linearmap-16g");
    auto twice = build(d, false, false, false);
    auto once = build(d, false, true, false);
    const auto tables = [](const BootStats &s) { return s.tables[1] + s.tables[2] + s.tables[3]; };
    ASSERT_GT(tables(twice->builder->stats()), 7900u);
    EXPECT_EQ(twice->builder->stats().tlbis, 2 * tables(twice->builder->stats())) << "remap-twice: 2 per table";
    EXPECT_EQ(once->builder->stats().tlbis, tables(once->builder->stats())) << "map-once: 1 per table";
    EXPECT_EQ(twice->builder->stats().fixmap_maps, twice->builder->stats().fixmap_unmaps);
    // Late tables (the tag storage, mapped after the linear map exists): no TLBI with map-once.
    auto late = build(d, false, true, true);
    const BootStats &s = late->builder->stats();
    EXPECT_GT(s.late_tables, 0u);
    EXPECT_EQ(s.tlbis, tables(once->builder->stats())) << "late tables add no TLBI";
    auto late_old = build(d, false, false, true);
    EXPECT_GT(late_old->builder->stats().tlbis, twice->builder->stats().tlbis) << "the old scheme fixmaps late tables";
}

TEST(LinearMap, PageWalkTranslatesTheLinearMap) {
    for (bool blocks : {false, true}) {
        const PlatformDesc d = BoardLoader::load("phone-8g-lpddr5");
        auto b = build(d, blocks, true);
        PageTableWalker walker(b->mem);
        std::mt19937_64 rng(5);
        std::vector<AddrRange> all = b->early;
        all.insert(all.end(), b->late.begin(), b->late.end());
        for (int i = 0; i < 20000; ++i) {
            const AddrRange &r = all[rng() % all.size()];
            const PhysAddr pa = r.base() + (rng() % r.size());
            auto w = walker.walk(b->builder->root(), b->builder->va_of(pa));
            ASSERT_TRUE(w) << hex(pa.value());
            EXPECT_EQ(w->pa, pa);
            EXPECT_EQ((w->descriptor >> 2) & 7, kMtNormalTagged) << "the linear map is Normal-Tagged on an MTE system";
            if (!blocks) {
                EXPECT_EQ(w->level, 3u);
            }
        }
        // Outside memory: a translation fault.
        EXPECT_FALSE(walker.walk(b->builder->root(), b->builder->va_of(PhysAddr(0x100000000ull))));
    }
}

TEST(LinearMap, PageTablesOfALinearMapAreStoredCompactly) {
    const PlatformDesc d = BoardLoader::load("linearmap-16g");
    auto b = build(d, false, true, false);
    EXPECT_GT(b->mem.pattern_pages(), 7900u) << "PTE tables kept as arithmetic sequences";
    EXPECT_LT(b->mem.resident_pages(), 64u);
}

// SparseMemory's compact pages (arithmetic sequences of words from word 0) against a plain
// shadow copy: runs written in pieces of every size, runs that follow the sequence and runs
// that break it part-way, and runs that do not start where the sequence ends.
TEST(LinearMap, CompactPageTablePagesReadBackEveryWordWritten) {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 200; ++round) {
        SparseMemory mem;
        std::vector<std::uint64_t> shadow(kPageSize / 8, 0);
        const PhysAddr page(0x80000000ull + (rng() % 16) * kPageSize);
        const std::uint64_t base = rng(), stride = (rng() % 3 == 0) ? rng() : kPageSize;
        std::uint64_t next = 0; /* the word the sequence reaches */
        while (next < kPageSize / 8) {
            const std::uint64_t n = 1 + rng() % std::min<std::uint64_t>(kPageSize / 8 - next, rng() % 2 ? 600 : 3);
            std::uint64_t at = next;
            if (rng() % 8 == 0) at = rng() % (kPageSize / 8 - n + 1); /* out of order */
            std::vector<std::uint64_t> w(n);
            for (std::uint64_t i = 0; i < n; ++i) w[i] = base + (at + i) * stride;
            if (rng() % 6 == 0) w[rng() % n] ^= 1; /* breaks the sequence there */
            mem.write_words(page + at * 8, w.data(), n);
            for (std::uint64_t i = 0; i < n; ++i) shadow[at + i] = w[i];
            next = std::max(next, at + n);
        }
        for (std::uint64_t i = 0; i < kPageSize / 8; ++i) ASSERT_EQ(mem.read_word(page + i * 8), shadow[i]) << "round " << round << " word " << i;
    }
    // A whole sequence in one run stays compact; so does one written word by word.
    SparseMemory mem;
    std::vector<std::uint64_t> w(kPageSize / 8);
    for (std::uint64_t i = 0; i < w.size(); ++i) w[i] = 0x40000000000703ull + i * kPageSize;
    mem.write_words(PhysAddr(0x80000000ull), w.data(), w.size());
    for (std::uint64_t i = 0; i < w.size(); ++i) mem.write_words(PhysAddr(0x80001000ull + i * 8), &w[i], 1);
    EXPECT_EQ(mem.pattern_pages(), 2u);
    EXPECT_EQ(mem.resident_pages(), 0u);
    EXPECT_EQ(mem.read_word(PhysAddr(0x80001000ull + 511 * 8)), w[511]);
}
