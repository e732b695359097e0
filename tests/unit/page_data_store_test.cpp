// PageDataStore (vm.data): bytes written read back, across pages; zeroing; the copy a
// migration or COW makes; swap-out and swap-in carry a page's bytes; disabled, it keeps nothing;
// the kernel model moves the bytes with the page (migration, swap) and zeroes a new page.
#include "kernel_rig.h"
#include "mtesim/mem/page_data_store.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace mtesim;

namespace {
std::vector<std::uint8_t> read(const PageDataStore &d, std::uint64_t pa, std::uint64_t n) {
    std::vector<std::uint8_t> out(n, 0xee);
    d.read(PhysAddr(pa), out.data(), n);
    return out;
}
}  // namespace

TEST(PageDataStore, DisabledKeepsNothingAndReadsZero) {
    PageDataStore d(false);
    const std::uint8_t b[4] = {1, 2, 3, 4};
    d.write(PhysAddr(0x1000), b, 4);
    EXPECT_EQ(read(d, 0x1000, 4), std::vector<std::uint8_t>(4, 0));
    EXPECT_EQ(d.resident_pages(), 0u);
}

TEST(PageDataStore, WritesReadBackAcrossAPageBoundaryAndUnwrittenIsZero) {
    PageDataStore d(true);
    std::uint8_t b[32];
    for (int i = 0; i < 32; ++i) b[i] = static_cast<std::uint8_t>(i + 1);
    d.write(PhysAddr(0x1ff0), b, 32); /* 16 bytes in page 1, 16 in page 2 */
    const auto r = read(d, 0x1fe0, 64);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(r[i], 0) << i;
    for (int i = 0; i < 32; ++i) EXPECT_EQ(r[16 + i], i + 1) << i;
    for (int i = 48; i < 64; ++i) EXPECT_EQ(r[i], 0) << i;
    EXPECT_EQ(d.resident_pages(), 2u);
    d.zero(PhysAddr(0x1ff8), 16);
    const auto z = read(d, 0x1ff0, 32);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(z[i], i + 1);
    for (int i = 8; i < 24; ++i) EXPECT_EQ(z[i], 0);
    EXPECT_EQ(z[24], 25);
    d.zero_page(Pfn(1));
    EXPECT_EQ(read(d, 0x1ff8, 1)[0], 0);
    EXPECT_EQ(d.resident_pages(), 1u);
}

TEST(PageDataStore, CopyAndSwapCarryThePageBytes) {
    PageDataStore d(true);
    const std::uint8_t b[3] = {7, 8, 9};
    d.write(PhysAddr(0x5000 + 100), b, 3);
    d.copy_page_data(Pfn(5), Pfn(9)); /* migration / COW */
    EXPECT_EQ(read(d, 0x9000 + 100, 3), (std::vector<std::uint8_t>{7, 8, 9}));
    EXPECT_EQ(read(d, 0x5000 + 100, 3), (std::vector<std::uint8_t>{7, 8, 9})) << "the source keeps its bytes";
    d.copy_page_data(Pfn(6), Pfn(9)); /* a copy of an all-zero page zeroes the destination */
    EXPECT_EQ(read(d, 0x9000 + 100, 3), std::vector<std::uint8_t>(3, 0));
    d.save_to_swap(Pfn(5), 42); /* swap-out: the page stays in the swap cache with its bytes */
    EXPECT_EQ(read(d, 0x5000 + 100, 3), (std::vector<std::uint8_t>{7, 8, 9}));
    d.zero_page(Pfn(5)); /* freed from the swap cache: the slot's copy remains */
    std::uint8_t s[3] = {};
    d.read_swap(42, 100, s, 3);
    EXPECT_EQ(s[0], 7);
    EXPECT_EQ(s[2], 9);
    d.restore_from_swap(42, Pfn(11)); /* swap-in into another frame */
    EXPECT_EQ(read(d, 0xb000 + 100, 3), (std::vector<std::uint8_t>{7, 8, 9}));
    EXPECT_EQ(d.swapped_pages(), 0u);
}


namespace {
/// The bytes of @pid's page at @va as the kernel model keeps them.
std::uint64_t word_at(test::KernelRig &r, std::uint32_t pid, std::uint64_t va) {
    std::uint8_t b[8];
    r.k->page_data().read(phys_of(upte::pfn(r.pte(pid, va))) + (va & 0xfff), b, 8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t(b[i]) << (8 * i);
    return v;
}
}  // namespace

TEST(PageDataStore, TheKernelCarriesDataThroughMigrationAndSwap) {
    KernelConfig kc = test::small_swap();
    kc.data = true;
    test::KernelRig r({}, kc);
    r.k->thread_start(1);
    r.k->mmap(1, test::kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, test::kBase + 0x1000, true));
    const std::uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    r.k->page_data().write(phys_of(upte::pfn(r.pte(1, test::kBase + 0x1000))) + 0x40, b, 8);
    const Pfn old = upte::pfn(r.pte(1, test::kBase + 0x1000));
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, test::kBase + 0x1000, cycles)); /* migrate_folio: copy_highpage */
    ASSERT_NE(upte::pfn(r.pte(1, test::kBase + 0x1000)), old);
    EXPECT_EQ(word_at(r, 1, test::kBase + 0x1040), 0x0807060504030201ull);
    r.k->pageout(1, test::kBase, 0x10000); /* MADV_PAGEOUT: swapped out */
    ASSERT_EQ(r.kind(1, test::kBase + 0x1000), upte::Kind::swap);
    ASSERT_TRUE(r.touch(1, test::kBase + 0x1000)); /* the swap-in fault */
    EXPECT_EQ(word_at(r, 1, test::kBase + 0x1040), 0x0807060504030201ull);
    // A new anonymous page reads as zero, whatever its frame held before.
    ASSERT_TRUE(r.touch(1, test::kBase + 0x2000, true));
    EXPECT_EQ(word_at(r, 1, test::kBase + 0x2040), 0u);
}
