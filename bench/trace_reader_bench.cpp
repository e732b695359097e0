// Workload trace reading speed: events per host second from a binary trace, raw and zstd
// (issue target: 50 M binary events/s), and from the text format for comparison. The trace is
// the generated heap workload, written once to /tmp (10^7 events for binary, 10^6 for text).
#include "mtesim/trace/binary_trace_reader.h"
#include "mtesim/trace/binary_trace_writer.h"
#include "mtesim/trace/synthetic_source.h"
#include "mtesim/trace/text_trace_reader.h"
#include "mtesim/trace/text_trace_writer.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fstream>

using namespace mtesim;

namespace {

SyntheticParams params(std::uint64_t accesses) {
    SyntheticParams p;
    p.threads = 4;
    p.accesses_per_thread = accesses / 4;
    return p;
}

const std::string &binary_file(bool zstd) {
    static std::string raw, compressed;
    std::string &path = zstd ? compressed : raw;
    if (path.empty()) {
        path = "/tmp/mtesim-bench-" + std::to_string(getpid()) + (zstd ? ".mtb.zst" : ".mtb");
        SyntheticSource src(params(7000000));
        BinaryTraceWriter w(path, zstd);
        TraceEvent ev;
        while (src.next(ev)) w.write(ev, [&](std::uint32_t id) { return src.name_of(id); });
        w.close();
    }
    return path;
}

const std::string &text_file() {
    static std::string path;
    if (path.empty()) {
        path = "/tmp/mtesim-bench-" + std::to_string(getpid()) + ".trace";
        SyntheticSource src(params(700000));
        std::ofstream out(path);
        TextTraceWriter w(out);
        TraceEvent ev;
        while (src.next(ev)) w.write(ev, [&](std::uint32_t id) { return src.name_of(id); });
    }
    return path;
}

template <typename Reader>
void read_all(benchmark::State &state, const std::string &path) {
    std::uint64_t events = 0;
    for (auto _ : state) {
        Reader r(path);
        TraceEvent ev;
        while (r.next(ev)) ++events;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
}

}  // namespace

static void BM_ReadBinaryRaw(benchmark::State &s) { read_all<BinaryTraceReader>(s, binary_file(false)); }
static void BM_ReadBinaryZstd(benchmark::State &s) { read_all<BinaryTraceReader>(s, binary_file(true)); }
static void BM_ReadText(benchmark::State &s) { read_all<TextTraceReader>(s, text_file()); }
BENCHMARK(BM_ReadBinaryRaw)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadBinaryZstd)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadText)->Unit(benchmark::kMillisecond)->UseRealTime();
