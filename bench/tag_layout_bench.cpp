// TagLayout::locate, the data-to-tag address translation every tagged access performs in the
// DRAM controller: lookups per host second on the phone board (two tagged regions).
#include "mtesim/dt/board_loader.h"
#include "mtesim/mte/tag_layout.h"

#include <benchmark/benchmark.h>

#include <random>

using namespace mtesim;

static void BM_TagLayoutLocate(benchmark::State &state) {
    const PlatformDesc desc = BoardLoader::load("phone-8g-lpddr5");
    TagLayout layout(desc);
    std::mt19937_64 rng(1);
    std::vector<PhysAddr> addrs;
    for (int i = 0; i < 4096; ++i) {
        const auto &r = layout.regions()[static_cast<std::size_t>(i) % layout.regions().size()].data;
        addrs.push_back(r.base() + (rng() % r.size()));
    }
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(layout.locate(addrs[i++ & 4095]));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TagLayoutLocate);
