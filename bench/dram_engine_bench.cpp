// DramTimingEngine alone (no trace parsing): scheduled requests per host second for random and
// streaming addresses on DDR3-1600 and DDR4-3200. submit(): one request per cycle as fast as
// the queues take them (dram-replay's path); access(): the TLM path with its prediction, one
// read at a time. The baseline for dram-replay's figure, which adds reading and parsing the trace.
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_timing_engine.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

using namespace mtesim;

static DramConfig preset(const char *name) {
    ConfigStore s = ConfigLoader::with_dram_preset(ConfigLoader::load({}, {}), name, "bench");
    return DramConfig::resolve(s);
}

static void run(benchmark::State &state, const char *name, bool random) {
    const DramConfig cfg = preset(name);
    DramTimingEngine engine(cfg);
    std::mt19937_64 rng(1);
    std::vector<std::uint64_t> addrs(1 << 16);
    for (std::size_t i = 0; i < addrs.size(); ++i) addrs[i] = random ? (rng() & 0xffffffc0ull) : i * 64;
    std::uint64_t i = 0, next = 0;
    for (auto _ : state) {
        next = engine.submit(DramAddr(addrs[i & 0xffff]), (i % 5) == 0, next, 64, DramTimingEngine::Klass::data) + 1;
        ++i;
    }
    engine.flush();
    state.SetItemsProcessed(state.iterations());
}

static void run_tlm(benchmark::State &state, const char *name, bool random) {
    const DramConfig cfg = preset(name);
    DramTimingEngine engine(cfg);
    std::mt19937_64 rng(1);
    std::vector<std::uint64_t> addrs(1 << 16);
    for (std::size_t i = 0; i < addrs.size(); ++i) addrs[i] = random ? (rng() & 0xffffffc0ull) : i * 64;
    std::uint64_t i = 0, now = 0;
    for (auto _ : state) {
        now = engine.access(DramAddr(addrs[i & 0xffff]), (i % 5) == 0, now, 64, DramTimingEngine::Klass::data).done;
        ++i;
    }
    state.SetItemsProcessed(state.iterations());
}

static void BM_DramEngineRandomDdr3(benchmark::State &s) { run(s, "ddr3-1600", true); }
static void BM_DramEngineStreamDdr4(benchmark::State &s) { run(s, "ddr4-3200", false); }
static void BM_DramEngineTlmRandomDdr3(benchmark::State &s) { run_tlm(s, "ddr3-1600", true); }
BENCHMARK(BM_DramEngineRandomDdr3);
BENCHMARK(BM_DramEngineStreamDdr4);
BENCHMARK(BM_DramEngineTlmRandomDdr3);
