// Kernel model hot paths, host speed: demand faults (walk, table and page allocation, zeroing,
// tag clearing), swap-out plus swap-in of a tagged page (tags saved and restored through the
// xarray), and the migration of a tagged mapped page. The board is virt-4g-mte; kernel work is
// done functionally (FunctionalKernelMemory: bytes kept, 0 cycles), so the figures are the
// model's own host cost per operation, not simulated time.
#include "mtesim/dt/board_loader.h"
#include "mtesim/kernel/kernel.h"
#include "mtesim/kernel/user_pte.h"
#include "mtesim/mm/functional_kernel_memory.h"

#include <benchmark/benchmark.h>

#include <memory>

using namespace mtesim;

namespace {

struct NoTlb : ITlbShootdown {
    void invalidate_page(std::uint32_t, std::uint64_t) override {}
    void invalidate_asid(std::uint32_t) override {}
};

struct Machine {
    PlatformDesc desc = BoardLoader::load("virt-4g-mte");
    SparseMemory mem;
    /* One core whose clock is the I/O waits': no request comes before its time, so the block
     * devices forget their bookings as the benchmark's time goes on. */
    struct OneCoreKmem : FunctionalKernelMemory {
        using FunctionalKernelMemory::FunctionalKernelMemory;
        std::uint64_t horizon_ps() const override { return now_ps(); }
    };
    OneCoreKmem kmem{mem, 4};
    PageAllocator alloc{desc, MmConfig{}, kmem};
    TagLayout layout{desc};
    TagStore tags{layout, mem};
    NoTlb tlb;
    std::unique_ptr<Kernel> k;
    Machine() {
        KernelConfig c;
        c.swap_pages = 1u << 18;
        c.swap = c.storage = BlockDeviceConfig::symmetric(80000, 2000);
        k = std::make_unique<Kernel>(c, alloc, kmem, tags, mem, tlb);
        k->thread_start(1);
    }
};

constexpr std::uint64_t kBase = 0x400000000ull;

}  // namespace

/* Demand faults over a 1 GiB PROT_MTE region, remapped (pages freed) when it is full. */
static void BM_DemandFaultTagged(benchmark::State &state) {
    Machine m;
    const std::uint64_t pages = 1u << 18;
    m.k->mmap(1, kBase, pages * kPageSize, true);
    std::uint64_t i = 0;
    for (auto _ : state) {
        if (i == pages) {
            state.PauseTiming();
            m.k->munmap(1, kBase, pages * kPageSize);
            m.k->mmap(1, kBase, pages * kPageSize, true);
            i = 0;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(m.k->handle_fault(1, kBase + i++ * kPageSize, true));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DemandFaultTagged);

/* MADV_PAGEOUT of one tagged page then the fault that swaps it back in. */
static void BM_SwapOutInTagged(benchmark::State &state) {
    Machine m;
    m.k->mmap(1, kBase, 4096 * kPageSize, true);
    for (std::uint64_t i = 0; i < 4096; ++i) m.k->handle_fault(1, kBase + i * kPageSize, true);
    std::uint64_t i = 0;
    for (auto _ : state) {
        const std::uint64_t va = kBase + (i++ % 4096) * kPageSize;
        m.k->pageout(1, va, kPageSize);
        benchmark::DoNotOptimize(m.k->handle_fault(1, va, false));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SwapOutInTagged);

/* Migration of a tagged, mapped page (copy, tag copy, PTE repointed). */
static void BM_MigrateTaggedPage(benchmark::State &state) {
    Machine m;
    m.k->mmap(1, kBase, 4096 * kPageSize, true);
    for (std::uint64_t i = 0; i < 4096; ++i) m.k->handle_fault(1, kBase + i * kPageSize, true);
    std::uint64_t i = 0, cycles = 0;
    for (auto _ : state) benchmark::DoNotOptimize(m.k->migrate_user_page(1, kBase + (i++ % 4096) * kPageSize, cycles));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MigrateTaggedPage);
