// The memmap (mm.memmap): where struct pages lie (Vmemmap), how boot reserves them (Memblock's
// aligned block), and which allocator operations touch them (PageAllocator::touch_page).
#include "mtesim/boot/memblock.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/mm/functional_kernel_memory.h"
#include "mtesim/mm/page_allocator.h"
#include "mtesim/mm/vmemmap.h"

#include <gtest/gtest.h>

using namespace mtesim;

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

/* FunctionalKernelMemory that remembers the struct page lines it was asked to touch. */
struct RecordingKernelMemory : FunctionalKernelMemory {
    using FunctionalKernelMemory::FunctionalKernelMemory;
    std::vector<std::pair<std::uint64_t, bool>> touched; /* address, write */
    std::uint64_t touch_line(PhysAddr pa, bool write) override {
        touched.emplace_back(pa.value(), write);
        return FunctionalKernelMemory::touch_line(pa, write);
    }
};

}  // namespace

/* virt-4g-mte's layout: 3,968 MiB of RAM from 2 GiB (31 sections of 128 MiB) and 124 MiB of
 * tag storage right above it (one more, partly covered, section). */
TEST(Vmemmap, OneStructPageOf64BytesPerPageOfEveryPresentSection) {
    Vmemmap v({AddrRange(PhysAddr(0x80000000), 0xf8000000), AddrRange(PhysAddr(0x178000000), 0x7c00000)});
    EXPECT_EQ(v.sections(), 32u);
    EXPECT_EQ(v.bytes(), 64 * kMiB) << "2 MiB per 128 MiB section: 32,768 pages x 64 bytes";
    const PhysAddr base(0x170000000);
    v.place_all(base);
    EXPECT_EQ(v.struct_page(pfn_of(PhysAddr(0x80000000))), base);
    EXPECT_EQ(v.struct_page(pfn_of(PhysAddr(0x80001000))), base + 64);
    EXPECT_EQ(v.struct_page(pfn_of(PhysAddr(0x88000000))), base + 2 * kMiB) << "the next section's memmap follows";
    EXPECT_EQ(v.struct_page(pfn_of(PhysAddr(0x178000000))), base + 31 * 2 * kMiB) << "the tag storage's section is the 32nd";
    EXPECT_FALSE(v.has(pfn_of(PhysAddr(0x40000000)))) << "no memory there: no struct page";
    EXPECT_TRUE(v.has(pfn_of(PhysAddr(0x17fbff000))));
    ASSERT_EQ(v.ranges().size(), 1u);
    EXPECT_EQ(v.ranges()[0].base(), base);
    EXPECT_EQ(v.ranges()[0].size(), 64 * kMiB);
}

TEST(Vmemmap, SectionsWithoutMemoryTakeNoMemmap) {
    Vmemmap v({AddrRange(PhysAddr(0), 128 * kMiB), AddrRange(PhysAddr(1ull << 30), kPageSize)});
    ASSERT_EQ(v.sections(), 2u) << "sections 0 and 8; 1-7 hold no memory";
    v.place(0, PhysAddr(0x2200000));
    v.place(1, PhysAddr(0x2000000));
    EXPECT_EQ(v.struct_page(Pfn((1ull << 30) >> kPageShift)), PhysAddr(0x2000000));
    EXPECT_FALSE(v.has(Pfn((512 * kMiB) >> kPageShift)));
    ASSERT_EQ(v.ranges().size(), 1u) << "two 2 MiB blocks side by side, merged";
    EXPECT_EQ(v.ranges()[0].base(), PhysAddr(0x2000000));
    EXPECT_EQ(v.ranges()[0].size(), 4 * kMiB);
}

/* memblock_alloc_range_nid top-down: the block goes below the pages already taken, aligned
 * down; the hole left between them is free and the next page comes from its top. */
TEST(Memblock, AnAlignedBlockGoesBelowTheTakenPagesAndLeavesTheHoleFree) {
    const PhysAddr top(0x44000000);
    Memblock m({AddrRange(PhysAddr(0x40000000), 64 * kMiB)});
    for (int i = 0; i < 3; ++i) EXPECT_EQ(*m.alloc_page(), top - (i + 1) * kPageSize);
    const auto block = m.alloc_block(4 * kMiB, 2 * kMiB);
    ASSERT_TRUE(block);
    EXPECT_EQ(*block, top - 6 * kMiB) << "4 MiB below top - 12 KiB, aligned down to 2 MiB";
    EXPECT_EQ(*m.alloc_page(), top - 4 * kPageSize) << "the hole above the block is the highest free memory";
    EXPECT_EQ(m.reserved_pages(), 3u + 1024u + 1u);
    const auto r = m.reserved();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].base(), top - 6 * kMiB);
    EXPECT_EQ(r[0].size(), 4 * kMiB);
    EXPECT_EQ(r[1].base(), top - 4 * kPageSize);
    EXPECT_EQ(r[1].size(), 4 * kPageSize);
    EXPECT_FALSE(m.alloc_block(64 * kMiB, 2 * kMiB)) << "no room left for it";
}

/* A higher range too small for the block keeps its free memory: the block goes to the next
 * range down, and later pages still come from the higher range first. */
TEST(Memblock, ARangeTooSmallForTheBlockStillGivesItsPages) {
    Memblock m({AddrRange(PhysAddr(0x40000000), 64 * kMiB), AddrRange(PhysAddr(0x80000000), kMiB)});
    EXPECT_EQ(*m.alloc_page(), PhysAddr(0x80100000) - kPageSize);
    const auto block = m.alloc_block(4 * kMiB, 2 * kMiB);
    ASSERT_TRUE(block);
    EXPECT_EQ(*block, PhysAddr(0x44000000) - 4 * kMiB) << "the lower range, from its top";
    EXPECT_EQ(*m.alloc_page(), PhysAddr(0x80100000) - 2 * kPageSize) << "the higher range is not passed over";
}

/* The allocator's own struct page accesses: a page handed out or freed is written once at its
 * head's struct page; a walk reads the struct page of each page it looks at. */
TEST(PageAllocatorMemmap, AllocationsFreesAndScansTouchTheirPagesStructPage) {
    const PlatformDesc desc = BoardLoader::load("virt-4g-mte");
    std::vector<AddrRange> present;
    for (const auto &m : desc.memories) present.push_back(m.range);
    for (const auto &t : desc.tag_storage)
        if (t.reusable) present.push_back(t.range);
    Vmemmap v(present);
    const PhysAddr base(0x80000000); /* the first 64 MiB of RAM, reserved for it below */
    v.place_all(base);
    SparseMemory mem;
    RecordingKernelMemory kmem(mem);
    PageAllocator a(desc, MmConfig{}, kmem, v.ranges(), v);
    auto p = a.alloc_pages(0, GfpFlags{MigrateType::movable, false, false});
    ASSERT_TRUE(p.ok);
    EXPECT_GE(p.pfn, pfn_of(base + 64 * kMiB)) << "the memmap is never handed out";
    // The first allocation splits a free order-10 block: expand writes the halves it puts back
    // (pfn + 512, + 256, ... + 1), then the head is written (prep_new_page).
    ASSERT_EQ(kmem.touched.size(), 11u);
    for (unsigned k = 0; k < 10; ++k) {
        EXPECT_EQ(kmem.touched[k].first, v.struct_page(p.pfn + (512u >> k)).value()) << "half " << k;
        EXPECT_TRUE(kmem.touched[k].second);
    }
    EXPECT_EQ(kmem.touched[10].first, (base + (p.pfn.value() - (0x80000000 >> kPageShift)) * 64).value());
    EXPECT_TRUE(kmem.touched[10].second) << "prep_new_page writes it";
    kmem.touched.clear();
    a.free_pages(p.pfn);
    // free_pages_prepare writes the page's, then __free_one_page merges it back with each half.
    ASSERT_EQ(kmem.touched.size(), 11u);
    EXPECT_EQ(kmem.touched[0].first, v.struct_page(p.pfn).value());
    for (unsigned k = 0; k < 10; ++k) EXPECT_EQ(kmem.touched[1 + k].first, v.struct_page(p.pfn + (1u << k)).value());
    kmem.touched.clear();
    a.scan_page(p.pfn + 1);
    ASSERT_EQ(kmem.touched.size(), 1u);
    EXPECT_EQ(kmem.touched[0].first, v.struct_page(p.pfn).value() + 64);
    EXPECT_FALSE(kmem.touched[0].second) << "a walk reads";

    MmConfig off;
    off.memmap = false;
    RecordingKernelMemory none(mem);
    PageAllocator b(desc, off, none, {}, Vmemmap{});
    ASSERT_TRUE(b.alloc_pages(0, GfpFlags{MigrateType::movable, false, false}).ok);
    EXPECT_TRUE(none.touched.empty()) << "no memmap: no struct page accesses";
}
