// fork and copy-on-write in the kernel model (issue 17; Linux kernel/fork.c dup_mmap,
// mm/memory.c copy_page_range / do_wp_page; selftest check_child_memory): the child shares the
// parent's pages read-only, a read copies nothing, a store copies data and tags into a new page
// whose tag storage is reserved like any tagged allocation, and swap, migration and exit of
// either process keep every tag exact (the shadow checker runs in every test).
#include "kernel_rig.h"

#include <gtest/gtest.h>

using namespace mtesim;
using test::kBase;
using Rig = test::KernelRig;

namespace {
/* Parent 1 with @pages PROT_MTE pages touched, page i tagged with pattern i; forked into 2. */
void forked(Rig &r, unsigned pages) {
    r.tagged_pages(1, pages);
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    r.k->thread_start(2);
}
}  // namespace

TEST(KernelFork, ChildSharesEveryPageReadOnlyAndAReadCopiesNothing) {
    Rig r;
    forked(r, 3);
    EXPECT_EQ(r.k->stats().forks, 1u);
    EXPECT_EQ(r.k->stats().fork_pages_shared, 3u);
    const std::uint64_t pages_before = r.k->user_pages();
    for (unsigned i = 0; i < 3; ++i) {
        const std::uint64_t va = kBase + i * kPageSize;
        EXPECT_EQ(upte::pfn(r.pte(1, va)), upte::pfn(r.pte(2, va))) << "one page, two mappings";
        EXPECT_FALSE(upte::writable(r.pte(1, va))) << "the parent lost write access too";
        EXPECT_FALSE(upte::writable(r.pte(2, va)));
        EXPECT_TRUE(upte::tagged(r.pte(2, va)));
        ASSERT_TRUE(r.touch(2, va, false));
        r.expect_pattern(2, va, i); /* tags inherited */
    }
    EXPECT_EQ(r.k->user_pages(), pages_before) << "reads do not copy";
    EXPECT_EQ(r.k->stats().cow_copies, 0u);
    EXPECT_GE(r.tlb.asids, 1u) << "the parent's TLB is flushed: its entries lost write access";
    r.expect_clean();
}

TEST(KernelFork, AStoreCopiesDataAndTagsIntoANewPageThroughATagReservation) {
    Rig r;
    forked(r, 2);
    const std::uint64_t va = kBase + kPageSize;
    const Pfn shared = upte::pfn(r.pte(1, va));
    const MmStats before = r.alloc->stats();
    const std::uint64_t copies_before = r.kmem.copies;
    ASSERT_TRUE(r.touch(2, va, true));
    const Pfn mine = upte::pfn(r.pte(2, va));
    EXPECT_NE(mine, shared);
    EXPECT_EQ(upte::pfn(r.pte(1, va)), shared) << "the parent keeps the old page";
    EXPECT_TRUE(upte::writable(r.pte(2, va)));
    EXPECT_TRUE(upte::tagged(r.pte(2, va)));
    EXPECT_EQ(r.kmem.copies - copies_before, 1u) << "one page of data copied";
    EXPECT_EQ(r.k->stats().cow_faults, 1u);
    EXPECT_EQ(r.k->stats().cow_copies, 1u);
    EXPECT_EQ(r.k->stats().cow_tagged_copies, 1u);
    const MmStats &after = r.alloc->stats();
    EXPECT_EQ((after.reserve_fast + after.reserve_slow + after.reserve_refcount_hits) -
                  (before.reserve_fast + before.reserve_slow + before.reserve_refcount_hits),
              1u)
        << "the copy's tag storage is reserved like any tagged allocation";
    r.expect_pattern(2, va, 1);
    r.expect_pattern(1, va, 1);
    // The copy is the child's own: a tag stored in it does not reach the parent.
    r.stg(2, va, 0xf);
    EXPECT_EQ(r.tag_at(1, va), 1 & 0xf);
    EXPECT_EQ(r.tag_at(2, va), 0xf);
    // The parent is the last sharer now: its store reuses the page without a copy.
    ASSERT_TRUE(r.touch(1, va, true));
    EXPECT_EQ(upte::pfn(r.pte(1, va)), shared);
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    EXPECT_EQ(r.k->stats().cow_copies, 1u);
    r.expect_clean();
}

TEST(KernelFork, AStgToASharedPageCopiesFirst) {
    Rig r;
    forked(r, 1);
    r.stg(1, kBase + 0x20, 0x3); /* the parent retags: it gets the copy */
    EXPECT_EQ(r.k->stats().cow_copies, 1u);
    EXPECT_EQ(r.tag_at(1, kBase + 0x20), 0x3);
    EXPECT_EQ(r.tag_at(2, kBase + 0x20), (2 * 7 + 0) & 0xf) << "the child still sees the inherited tag";
    r.expect_clean();
}

/* A page shared since fork stays read-only for its last sharer through mprotect(PROT_WRITE):
 * it is not PageAnonExclusive, which mprotect's can_change_pte_writable requires; only the
 * store's do_wp_page makes it writable (and exclusive) again. */
TEST(KernelFork, MprotectDoesNotMakeAPageSharedSinceForkWritable) {
    Rig r;
    forked(r, 1);
    r.k->thread_exit(2);
    ASSERT_EQ(r.k->mprotect(1, kBase, kPageSize, true, false).error, 0);
    ASSERT_EQ(r.k->mprotect(1, kBase, kPageSize, true, true).error, 0);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    ASSERT_EQ(r.k->mprotect(1, kBase, kPageSize, true, false).error, 0);
    ASSERT_EQ(r.k->mprotect(1, kBase, kPageSize, true, true).error, 0);
    EXPECT_TRUE(upte::writable(r.pte(1, kBase))) << "exclusive since the reuse";
    r.expect_clean();
}

/* The same for the lazy MTE fault: an untagged page shared at fork, its child gone, made PROT_MTE
 * (a "metadata none" entry: its tag storage is reserved at the next access), is mapped
 * read-only by a load's fault (do_numa_page upgrades only an exclusive page); the store after it
 * reuses it through do_wp_page. */
TEST(KernelFork, TheLazyMteFaultMapsAPageSharedSinceForkReadOnly) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, kPageSize, false);
    ASSERT_TRUE(r.touch(1, kBase, true));
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    r.k->thread_start(2);
    r.k->thread_exit(2);
    ASSERT_EQ(r.k->mprotect(1, kBase, kPageSize, true, true).error, 0);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::metadata_none);
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::present);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::writable(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().cow_reuses, 1u);
    r.expect_clean();
}

TEST(KernelFork, ExitOfEitherProcessKeepsTheOtherPagesAndTags) {
    Rig r;
    forked(r, 2);
    const std::uint64_t pages = r.k->user_pages();
    r.k->thread_exit(2);
    EXPECT_EQ(r.k->user_pages(), pages) << "the parent still maps every page";
    r.expect_pattern(1, kBase, 0);
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_EQ(r.k->stats().cow_reuses, 1u) << "the last sharer writes in place";
    // Fork again and let the parent go first.
    ASSERT_EQ(r.k->fork(1, 3).outcome, Kernel::Outcome::ok);
    r.k->thread_created(3);
    r.k->thread_exit(1);
    r.expect_pattern(3, kBase + kPageSize, 1);
    r.expect_clean();
    r.k->thread_exit(3);
    EXPECT_EQ(r.k->user_pages(), 0u);
    r.expect_clean();
}

TEST(KernelFork, SwapOfASharedPageKeepsTagsForBothAndEachSwapsInItsOwnCopy) {
    Rig r;
    forked(r, 1);
    // Reclaim takes the shared page: both PTEs become the same swap entry (try_to_unmap).
    std::uint64_t cycles = 0;
    for (int i = 0; i < 4 && r.kind(1, kBase) != upte::Kind::swap; ++i) r.k->reclaim(64, cycles);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_EQ(r.kind(2, kBase), upte::Kind::swap);
    EXPECT_EQ(upte::swap_slot(r.pte(1, kBase)), upte::swap_slot(r.pte(2, kBase)));
    EXPECT_EQ(r.k->swap_slots().references(upte::swap_slot(r.pte(1, kBase))), 2u);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    r.expect_clean();
    ASSERT_TRUE(r.touch(2, kBase));
    r.expect_pattern(2, kBase, 0);
    EXPECT_EQ(r.k->swap_tags().entries(), 1u) << "the parent's swap PTE still needs the saved tags";
    r.expect_clean();
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.expect_pattern(1, kBase, 0);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    r.expect_clean();
}

TEST(KernelFork, ASwapEntryIsSharedAtForkAndFreedWithItsLastReference) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.tag_page(1, kBase, 5);
    r.k->pageout(1, kBase, kPageSize);
    ASSERT_EQ(r.kind(1, kBase), upte::Kind::swap);
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    EXPECT_EQ(r.k->stats().fork_swap_shared, 1u);
    EXPECT_EQ(r.pte(2, kBase), r.pte(1, kBase));
    r.expect_clean();
    r.k->munmap(1, kBase, 0x10000);
    EXPECT_EQ(r.k->swap_slots().used(), 1u) << "the child's reference keeps the slot";
    EXPECT_EQ(r.k->swap_tags().entries(), 1u);
    ASSERT_TRUE(r.touch(2, kBase));
    r.expect_pattern(2, kBase, 5);
    EXPECT_EQ(r.k->swap_slots().used(), 0u);
    EXPECT_EQ(r.k->swap_tags().entries(), 0u);
    r.expect_clean();
}

TEST(KernelFork, MigrationOfASharedPageRepointsBothAndKeepsItReadOnly) {
    Rig r;
    forked(r, 1);
    const Pfn before = upte::pfn(r.pte(1, kBase));
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase, cycles));
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_TRUE(r.touch(2, kBase));
    const Pfn after = upte::pfn(r.pte(1, kBase));
    EXPECT_NE(after, before);
    EXPECT_EQ(upte::pfn(r.pte(2, kBase)), after);
    EXPECT_FALSE(upte::writable(r.pte(1, kBase)));
    EXPECT_FALSE(upte::writable(r.pte(2, kBase)));
    r.expect_pattern(1, kBase, 0);
    r.expect_pattern(2, kBase, 0);
    r.expect_clean();
    ASSERT_TRUE(r.touch(2, kBase, true));
    r.expect_pattern(2, kBase, 0);
    r.expect_clean();
}

TEST(KernelFork, MigratingASharedPageFlushesOnceForEachProcessMappingIt) {
    Rig r;
    forked(r, 1);
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_TRUE(r.touch(2, kBase));
    ASSERT_EQ(upte::pfn(r.pte(1, kBase)), upte::pfn(r.pte(2, kBase)));
    const std::uint64_t flushes = r.kmem.tlbis;
    std::uint64_t cycles = 0;
    ASSERT_TRUE(r.k->migrate_user_page(1, kBase, cycles));
    EXPECT_EQ(r.kmem.tlbis - flushes, 2u) << "try_to_migrate_one: one flush for each present PTE";
    r.expect_clean();
}

TEST(KernelFork, FileMappingsAreNotCopiedTheChildRefaultsFromThePageCache) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x4000, false, true, 7, 0);
    ASSERT_TRUE(r.touch(1, kBase));
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    EXPECT_EQ(r.kind(2, kBase), upte::Kind::none);
    EXPECT_TRUE(upte::writable_clean(r.pte(1, kBase))) << "the parent's entry is left as it was: writable-clean (DBM)";
    ASSERT_TRUE(r.touch(2, kBase));
    EXPECT_EQ(upte::pfn(r.pte(2, kBase)), upte::pfn(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().file_hits, 1u);
    r.expect_clean();
}

TEST(KernelFork, MadviseDontneedGivesAZeroTaggedPageOnTheNextTouch) {
    Rig r;
    r.k->thread_start(1);
    r.k->mmap(1, kBase, 0x10000, true);
    ASSERT_TRUE(r.touch(1, kBase, true));
    r.tag_page(1, kBase, 9);
    const std::uint64_t anon_before = r.k->stats().faults_anon;
    r.k->dontneed(1, kBase, 0x10000);
    EXPECT_EQ(r.kind(1, kBase), upte::Kind::none);
    EXPECT_EQ(r.k->user_pages(), 0u);
    ASSERT_TRUE(r.touch(1, kBase));
    EXPECT_EQ(r.k->stats().faults_anon, anon_before + 1) << "a new zeroed page";
    for (std::uint64_t g = 0; g < 256; ++g) ASSERT_EQ(r.tag_at(1, kBase + 16 * g), 0) << "granule " << g;
    EXPECT_EQ(r.k->stats().madv_dontneed, 1u);
    r.expect_clean();
}

/* MAP_SHARED anonymous memory is inherited shared, not copied: a store or a tag store of
 * either process is seen by the other (Documentation/arch/arm64/memory-tagging-extension.rst:
 * "MAP_SHARED is supported and the allocation tags can be shared between processes"). */
TEST(KernelShmem, SharedAnonymousMemoryKeepsOnePageAndItsTagsAcrossFork) {
    Rig r;
    r.k->thread_start(1);
    ASSERT_EQ(r.k->mmap_shared(1, kBase, 0x4000, true, 0).error, 0);
    ASSERT_TRUE(r.touch(1, kBase, true));
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase)));
    EXPECT_EQ(r.k->stats().faults_shmem, 1u);
    r.tag_page(1, kBase, 4);
    ASSERT_EQ(r.k->fork(1, 2).outcome, Kernel::Outcome::ok);
    r.k->thread_created(2);
    EXPECT_EQ(r.kind(2, kBase), upte::Kind::none) << "shared VMAs copy no PTE";
    ASSERT_TRUE(r.touch(2, kBase, true));
    EXPECT_EQ(upte::pfn(r.pte(2, kBase)), upte::pfn(r.pte(1, kBase))) << "the same page, not a copy";
    EXPECT_TRUE(upte::writable(r.pte(2, kBase)));
    EXPECT_EQ(r.k->stats().cow_copies, 0u);
    r.expect_pattern(2, kBase, 4);
    r.stg(2, kBase + 0x10, 0xe);
    EXPECT_EQ(r.tag_at(1, kBase + 0x10), 0xe) << "the child's tag store is the parent's too";
    r.expect_clean();
    r.k->thread_exit(1);
    EXPECT_EQ(r.tag_at(2, kBase + 0x10), 0xe);
    r.expect_clean();
    r.k->thread_exit(2);
    EXPECT_EQ(r.k->user_pages(), 0u) << "the object goes with its last mapping";
    r.expect_clean();
}

TEST(KernelShmem, AMemfdIsSharedByUnrelatedProcessesAtDifferentAddresses) {
    Rig r;
    r.k->thread_start(1);
    r.k->thread_start(3);
    ASSERT_EQ(r.k->mmap_shared(1, kBase, 0x4000, true, 7).error, 0);
    ASSERT_EQ(r.k->mmap_shared(3, kBase + 0x100000, 0x2000, true, 7, 1).error, 0); /* from page 1 */
    ASSERT_TRUE(r.touch(1, kBase + kPageSize, true));
    r.tag_page(1, kBase + kPageSize, 6);
    ASSERT_TRUE(r.touch(3, kBase + 0x100000));
    EXPECT_EQ(upte::pfn(r.pte(3, kBase + 0x100000)), upte::pfn(r.pte(1, kBase + kPageSize)));
    r.expect_pattern(3, kBase + 0x100000, 6);
    r.expect_clean();
    // Mapped without PROT_MTE the page is Normal there; its tags stay for the tagged mapping.
    ASSERT_EQ(r.k->mmap_shared(3, kBase + 0x200000, 0x4000, false, 7).error, 0);
    ASSERT_TRUE(r.touch(3, kBase + 0x200000 + kPageSize, true));
    EXPECT_FALSE(upte::tagged(r.pte(3, kBase + 0x200000 + kPageSize)));
    r.expect_pattern(1, kBase + kPageSize, 6);
    // A page first touched untagged, then mapped PROT_MTE: storage reserved, tags cleared.
    ASSERT_TRUE(r.touch(3, kBase + 0x200000 + 2 * kPageSize, true));
    EXPECT_FALSE(upte::tagged(r.pte(3, kBase + 0x200000 + 2 * kPageSize)));
    ASSERT_TRUE(r.touch(1, kBase + 2 * kPageSize));
    EXPECT_TRUE(upte::tagged(r.pte(1, kBase + 2 * kPageSize)));
    EXPECT_EQ(r.tag_at(1, kBase + 2 * kPageSize + 0x30), 0);
    r.expect_clean();
    // Reclaim passes shmem over (not swapped in the model): its tags stay in storage.
    std::uint64_t cycles = 0;
    r.k->reclaim(1000, cycles);
    EXPECT_EQ(r.kind(1, kBase + kPageSize), upte::Kind::present);
    r.expect_clean();
    r.k->thread_exit(1);
    r.k->thread_exit(3);
    EXPECT_EQ(r.k->page_cache_pages(), 0u);
    EXPECT_EQ(r.k->user_pages(), 2u) << "a memfd's pages (1 and 2) outlive its mappings (the fd is never closed)";
    r.expect_clean();
}
