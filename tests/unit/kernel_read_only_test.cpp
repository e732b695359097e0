// Read-only mappings in the kernel model (issue 17, "read-only PROT_MTE pages"): a VMA without
// PROT_WRITE maps every page read-only (AP[2]); a write fault on it is SEGV_ACCERR before any
// page is touched (arch/arm64/mm/fault.c do_page_fault's vm_flags check), so copy-on-write never
// copies or unprotects a page of a read-only VMA; mprotect sets and clears the permission on
// populated entries and keeps their data and tags; the kernel's copy to a read-only user buffer
// (read(2)) stops there (-EFAULT or a short count). The shadow checker and the kernel's
// invariants (no writable entry in a read-only VMA) run in every test.
#include "kernel_rig.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

using namespace mtesim;
using test::kBase;
using Rig = test::KernelRig;

namespace {
constexpr std::uint32_t kFile = 4;

/* The bytes at @va of @pid (its page present). */
std::uint64_t word_at(Rig &r, std::uint32_t pid, std::uint64_t va) {
    std::uint8_t b[8];
    r.k->page_data().read(phys_of(upte::pfn(r.pte(pid, va))) + (va & 0xfff), b, 8);
    std::uint64_t v = 0;
    std::memcpy(&v, b, 8);
    return v;
}
void put_word(Rig &r, std::uint32_t pid, std::uint64_t va, std::uint64_t v) {
    std::uint8_t b[8];
    std::memcpy(b, &v, 8);
    r.k->page_data().write(phys_of(upte::pfn(r.pte(pid, va))) + (va & 0xfff), b, 8);
}
/* Process 1 with two PROT_MTE pages at kBase, the first written and tagged with pattern @seed. */
void one_tagged_page(Rig &r, unsigned seed) {
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x2000, true);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.tag_page(1, kBase, seed);
}
KernelConfig with_data() {
    KernelConfig kc = test::small_swap();
    kc.data = true;
    return kc;
}
}  // namespace

TEST(KernelReadOnly, AWriteToAReadOnlyVmaIsSegvAccerrAndAllocatesNothing) {
    Rig r;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap(1, kBase, 0x4000, true, false, 0, 0, /*writable=*/false).error, 0);
    const std::uint64_t pages = r.k->user_pages();
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    EXPECT_EQ(r.k->stats().segv_accerr, 1u);
    EXPECT_EQ(r.k->stats().segv_maperr, 0u) << "the address is mapped: an access error, not a mapping error";
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::none) << "no page for a store that cannot happen";
    EXPECT_EQ(r.k->user_pages(), pages);
    // A read maps the page, tagged (PROT_MTE) and read-only.
    ASSERT_TRUE(r.touch(1, kBase + 0x10));
    const std::uint64_t p = r.pte(1, kBase);
    EXPECT_EQ(upte::kind(p), upte::Kind::present);
    EXPECT_TRUE(upte::tagged(p));
    EXPECT_FALSE(upte::writable(p));
    EXPECT_EQ(r.tag_at(1, kBase + 0x10), 0) << "a new PROT_MTE page has tag 0, read-only or not";
    // A write to the present page: still an access error, the entry unchanged.
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    EXPECT_EQ(r.pte(1, kBase), p);
    EXPECT_EQ(r.k->stats().segv_accerr, 2u);
    EXPECT_EQ(r.k->stats().cow_faults, 0u);
    r.expect_clean();
}

TEST(KernelReadOnly, MprotectReadOnlyWriteProtectsPopulatedPagesAndKeepsTheirDataAndTags) {
    Rig r({}, with_data());
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x8000, true);
    for (unsigned i = 0; i < 3; ++i) {
        ASSERT_TRUE(r.touch(1, kBase + i * kPageSize, true));
        r.tag_page(1, kBase + i * kPageSize, i);
        put_word(r, 1, kBase + i * kPageSize + 8, 0x1111 * (i + 1));
    }
    const Pfn before = upte::pfn(r.pte(1, kBase + kPageSize));
    const std::uint64_t shootdowns = r.tlb.pages;
    // Pages 1 and 2 only: the VMA is split, page 0 keeps PROT_WRITE.
    ASSERT_EQ(r.k->mprotect(1, kBase + kPageSize, 0x2000, false, /*writable=*/false).error, 0);
    EXPECT_EQ(r.tlb.pages - shootdowns, 2u) << "each present entry that lost write access is shot down";
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    for (unsigned i = 1; i < 3; ++i) {
        const std::uint64_t va = kBase + i * kPageSize;
        EXPECT_FALSE(upte::writable(r.pte(1, va)));
        EXPECT_TRUE(upte::tagged(r.pte(1, va))) << "PROT_MTE is not taken away";
        r.expect_pattern(1, va, i);
        EXPECT_EQ(word_at(r, 1, va + 8), 0x1111u * (i + 1));
        EXPECT_EQ(r.k->handle_fault(1, va, true).outcome, Kernel::Outcome::segv_accerr);
    }
    EXPECT_EQ(upte::pfn(r.pte(1, kBase + kPageSize)), before) << "the same page";
    ASSERT_TRUE(r.touch(1, kBase, true)) << "page 0 is still writable";
    // PROT_WRITE again: pages mapped once become writable at once (no fault, no copy).
    ASSERT_EQ(r.k->mprotect(1, kBase + kPageSize, 0x2000, false, true).error, 0);
    EXPECT_TRUE(upte::writable(r.pte(1, kBase + kPageSize)));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase + 2 * kPageSize)));
    EXPECT_EQ(r.k->stats().cow_faults, 0u);
    r.expect_pattern(1, kBase + 2 * kPageSize, 2);
    r.expect_clean();
}

TEST(KernelReadOnly, APrivateReadOnlyPageSharedAtForkIsNeverMadeWritableByCopyOnWrite) {
    Rig r;
    one_tagged_page(r, 3);
    ASSERT_EQ(r.k->mprotect(1, kBase, 0x2000, false, false).error, 0);
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    r.k->thread_start(2);
    const Pfn shared = upte::pfn(r.pte(1, kBase));
    ASSERT_EQ(upte::pfn(r.pte(2, kBase)), shared);
    // Neither process may write: do_page_fault refuses before do_wp_page is reached.
    EXPECT_EQ(r.k->handle_fault(2, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    EXPECT_EQ(r.k->stats().cow_faults, 0u);
    EXPECT_EQ(r.k->stats().cow_copies, 0u);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_FALSE(upte::writable(r.pte(2, kBase)));
    EXPECT_EQ(upte::pfn(r.pte(2, kBase)), shared);
    // The child asks for PROT_WRITE back: its entry stays read-only while the page is shared
    // (can_change_pte_writable), and its first store copies the page and its tags.
    ASSERT_EQ(r.k->mprotect(2, kBase, 0x2000, false, true).error, 0);
    EXPECT_FALSE(upte::writable(r.pte(2, kBase)));
    ASSERT_TRUE(r.touch(2, kBase, true));
    EXPECT_EQ(r.k->stats().cow_copies, 1u);
    EXPECT_NE(upte::pfn(r.pte(2, kBase)), shared);
    EXPECT_TRUE(upte::writable(r.pte(2, kBase)));
    r.expect_pattern(2, kBase, 3);
    // The parent, now the page's only user, still has no PROT_WRITE: still SEGV_ACCERR, and
    // its entry is not made writable by the reuse path.
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().cow_reuses, 0u);
    r.expect_pattern(1, kBase, 3);
    r.expect_clean();
}

TEST(KernelReadOnly, SwapInAndTheProtMteLazyFaultMapAReadOnlyPageReadOnly) {
    Rig r;
    one_tagged_page(r, 5);
    r.k->mmap(1, kBase + 0x10000, 0x1000, false);
    ASSERT_TRUE(r.touch(1, kBase + 0x10000, true));
    ASSERT_EQ(r.k->mprotect(1, kBase, 0x2000, false, false).error, 0);
    // Swap-out and swap-in: the page comes back with its tags, read-only.
    r.k->pageout(1, kBase, 0x1000);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr) << "the swap entry stays";
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    r.expect_pattern(1, kBase, 5);
    // mprotect(PROT_READ | PROT_MTE) of a populated untagged page: "metadata none", then the
    // read's lazy fault maps it tagged and read-only.
    ASSERT_EQ(r.k->mprotect(1, kBase + 0x10000, 0x1000, true, false).error, 0);
    ASSERT_EQ(r.kind(1, kBase + 0x10000), upte::Kind::metadata_none);
    ASSERT_TRUE(r.touch(1, kBase + 0x10000));
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + 0x10000)));
    EXPECT_FALSE(upte::writable(r.pte(1, kBase + 0x10000)));
    EXPECT_EQ(r.tag_at(1, kBase + 0x10000), 0);
    r.expect_clean();
}

TEST(KernelReadOnly, ReadIntoAReadOnlyBufferIsEfaultAndWriteFromItWorks) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x1000, true);
    r.k->mmap(1, kBase + 0x1000, 0x1000, true, false, 0, 0, false); /* the next page read-only */
    ASSERT_TRUE(r.touch(1, kBase, true));
    // read(2) into the read-only page: the kernel's store faults, nothing copied.
    auto res = r.k->user_copy(1, kBase + 0x1000, 64, true, true, true, kFile, 0);
    EXPECT_EQ(res.error, -EFAULT);
    EXPECT_EQ(res.outcome, Kernel::Outcome::ok) << "no signal: the uaccess fixup";
    EXPECT_EQ(r.k->stats().uaccess_efault, 1u);
    // Across the boundary: the writable part is copied, a short count.
    res = r.k->user_copy(1, kBase + 0xfc0, 128, true, true, true, kFile, 0);
    EXPECT_EQ(res.error, 64);
    // write(2) only reads the buffer: the whole length.
    EXPECT_EQ(r.k->user_copy(1, kBase + 0x1000, 64, false, true, true, kFile, 0).error, 64);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase + 0x1000)));
    // pin_user_pages(FOLL_WRITE) of a read-only page: an access error (the call's -EFAULT).
    EXPECT_EQ(r.k->pin(1, kBase + 0x1000, 0x1000, true).outcome, Kernel::Outcome::segv_accerr);
    r.expect_clean();
}

TEST(KernelReadOnly, AMemfdMappedReadOnlyAndWritableSharesOnePage) {
    Rig r;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap_shared(1, kBase, 0x1000, true, 7, 0, /*writable=*/false).error, 0);
    ASSERT_EQ(r.k->mmap_shared(1, kBase + 0x10000, 0x1000, true, 7, 0, true).error, 0);
    EXPECT_EQ(r.k->handle_fault(1, kBase, true).outcome, Kernel::Outcome::segv_accerr);
    ASSERT_TRUE(r.touch(1, kBase + 0x10000, true));
    r.stg(1, kBase + 0x10020, 0xa);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(upte::pfn(r.pte(1, kBase)), upte::pfn(r.pte(1, kBase + 0x10000)));
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase + 0x10000)));
    EXPECT_EQ(r.tag_at(1, kBase + 0x20), 0xa) << "the read-only mapping sees the other's tag store";
    r.expect_clean();
}
