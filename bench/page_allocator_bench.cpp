// Page allocator hot paths: order-0 alloc+free pairs per host second (issue target: 20 M/s),
// and the host cost of a tag reservation on each path (refcount hit, fast path, slow path with
// one migration). The board is virt-4g-mte's memory; kernel work is not charged here (a
// kernel-memory stub that returns 0 cycles), so the figures are the allocator's own.
#include "mtesim/dt/board_loader.h"
#include "mtesim/mm/page_allocator.h"

#include <benchmark/benchmark.h>

#include <vector>

using namespace mtesim;

namespace {

struct NoCost : IKernelMemory {
    std::uint64_t copy_pages(Pfn, Pfn, std::uint64_t) override { return 0; }
    std::uint64_t zero_pages(Pfn, std::uint64_t) override { return 0; }
    std::uint64_t flush_tlb_page() override { return 0; }
    std::uint64_t flush_tlb_page_nosync() override { return 0; }
    std::uint64_t flush_tlb_sync() override { return 0; }
    std::uint64_t flush_tlb_range(std::uint64_t) override { return 0; }
    std::uint64_t invalidate_tag_block(Pfn, std::uint64_t) override { return 0; }
    std::uint64_t write_words(PhysAddr, const std::uint64_t *, std::uint64_t) override { return 0; }
    std::uint64_t read_word(PhysAddr, std::uint64_t &v) override { v = 0; return 0; }
    std::uint64_t touch_line(PhysAddr, bool) override { return 0; }
    std::uint64_t barriers() override { return 0; }
    std::uint64_t access_tags(Pfn, std::uint64_t, bool) override { return 0; }
    std::uint64_t io_wait(double) override { return 0; }
    unsigned cpus() const override { return 4; }
};

MmConfig config(CmaPolicy p, TagReservePath r) {
    MmConfig c;
    c.cma_policy = p;
    c.tag_reserve = r;
    return c;
}

}  // namespace

static void BM_AllocFreeOrder0(benchmark::State &state) {
    NoCost k;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), config(CmaPolicy::linux_balance, TagReservePath::fast_path), k);
    // A realistic free-list state: a quarter of memory allocated in scattered order-0 pages.
    std::vector<Pfn> held;
    for (int i = 0; i < 200000; ++i) held.push_back(a.alloc_pages(0, kGfpHighUserMovable).pfn);
    for (std::size_t i = 0; i < held.size(); i += 2) a.free_pages(held[i]);
    for (auto _ : state) {
        auto p = a.alloc_pages(0, kGfpHighUserMovable);
        a.free_pages(p.pfn);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AllocFreeOrder0);

static void BM_TaggedAllocFree_RefcountHit(benchmark::State &state) {
    NoCost k;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), config(CmaPolicy::never, TagReservePath::fast_path), k);
    auto keep = a.alloc_pages(0, kGfpHighUserMovableTagged); /* keeps its tag block reserved */
    for (auto _ : state) {
        auto p = a.alloc_pages(0, kGfpHighUserMovableTagged);
        a.free_pages(p.pfn);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["hits"] = static_cast<double>(a.stats().reserve_refcount_hits);
    (void)keep;
}
BENCHMARK(BM_TaggedAllocFree_RefcountHit);

static void BM_TaggedAllocFree_FastPath(benchmark::State &state) {
    NoCost k;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), config(CmaPolicy::never, TagReservePath::fast_path), k);
    for (auto _ : state) {
        auto p = a.alloc_pages(0, kGfpHighUserMovableTagged); /* the block is free: fast path */
        a.free_pages(p.pfn);                                   /* refcount 0: back to the pool */
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["fast"] = static_cast<double>(a.stats().reserve_fast);
}
BENCHMARK(BM_TaggedAllocFree_FastPath);

static void BM_TaggedAllocFree_SlowPathWithMigration(benchmark::State &state) {
    NoCost k;
    PageAllocator a(BoardLoader::load("virt-4g-mte"), config(CmaPolicy::cma_first, TagReservePath::fast_path), k);
    // Fill the pool with movable data: every tag block the allocation needs holds a page.
    while (a.free_pages(MigrateType::cma)) a.alloc_pages(0, kGfpHighUserMovable);
    for (auto _ : state) {
        auto p = a.alloc_pages(0, kGfpHighUserMovableTagged);
        state.PauseTiming();
        a.free_pages(p.pfn);
        while (a.free_pages(MigrateType::cma)) a.alloc_pages(0, kGfpHighUserMovable); /* refill the freed block */
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["slow"] = static_cast<double>(a.stats().reserve_slow);
    state.counters["migrated"] = static_cast<double>(a.stats().pages_migrated);
}
BENCHMARK(BM_TaggedAllocFree_SlowPathWithMigration);
