// TraceCommand: see the header. Conversion writes OUT to a temporary name and renames it, so a
// bad input leaves no half-written output.
#include "app/trace_command.h"

#include "app/command_line.h"
#include "app/run_command.h"
#include "app/trace_capture.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/binary_trace_reader.h"
#include "mtesim/trace/bugs_workload.h"
#include "mtesim/trace/profile_workload.h"
#include "mtesim/trace/binary_trace_writer.h"
#include "mtesim/trace/text_trace_reader.h"
#include "mtesim/trace/text_trace_writer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

namespace {

bool ends_with(const std::string &s, const std::string &e) {
    return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

int convert(const std::string &in, const std::string &out_path, bool compress, std::ostream &out) {
    auto source = TraceCommand::open(in);
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t events = TraceCommand::write_trace(*source, out_path, compress);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "mtesim trace convert: " << events << " events, " << in << " -> " << out_path << " ("
        << std::filesystem::file_size(out_path) << " bytes) in " << s << " s\n";
    return 0;
}

/* trace gen: the generated workload of `mtesim run` (the `heap` profile) written as a trace.
 * It is laid out for --board exactly as `run` lays it out, so running the trace on that board
 * gives the same results as running the built-in workload. */
int gen(const po::variables_map &vm, const std::string &out_path, std::ostream &out) {
    const std::string profile = vm["profile"].as<std::string>();
    const auto &studies = ProfileWorkload::profiles();
    if (profile != "heap" && profile != "bugs" && std::find(studies.begin(), studies.end(), profile) == studies.end())
        throw ConfigError("mtesim trace gen: --profile '" + profile +
                          "', expected heap, bugs, browser, server, page-cache or swap-storm");
    ConfigStore store = CommandLine::settings(vm);
    if (vm.count("seed")) store.set("sim.seed", std::to_string(vm["seed"].as<std::uint64_t>()), "--seed", ConfigStore::Layer::command_line);
    const double scale = vm["scale"].as<double>();
    if (!(scale > 0) || scale * RunCommand::kDefaultAccessesPerThread > 1e12)
        throw ConfigError("mtesim trace gen: --scale " + std::to_string(scale) + ", expected a positive factor up to 5e6");
    if (profile == "heap" && !vm["scale"].defaulted())
        store.set("workload.accesses_per_thread",
                  std::to_string(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(scale * RunCommand::kDefaultAccessesPerThread + 0.5))),
                  "--scale", ConfigStore::Layer::command_line);
    const PlatformDesc desc = BoardLoader::load(vm["board"].as<std::string>());
    std::string name;
    std::unique_ptr<IEventSource> source;
    const BugsWorkload *bugs = nullptr; /* the bugs profile: also writes its expected faults */
    if (profile == "heap") {
        source = RunCommand::workload_for(store, desc, nullptr, name);
    } else if (profile != "bugs") {
        ProfileParams p;
        p.profile = profile;
        p.seed = store.get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
        p.tcf = RunCommand::workload_tcf(store);
        p.scale = scale;
        for (const auto &m : desc.memories) p.memory_bytes += m.range.size();
        p.footprint_bytes = store.get_u64("workload.footprint_mbytes", 0, "MiB",
                                          "trace gen: memory a server, page-cache or swap-storm profile touches (0: its default share of the board's memory)",
                                          0, 1ull << 24) << 20;
        auto generator = std::make_unique<ProfileWorkload>(p);
        name = generator->description();
        source = std::move(generator);
    } else {
        BugsParams p;
        p.seed = store.get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
        p.tcf = RunCommand::workload_tcf(store);
        p.rounds = static_cast<std::uint32_t>(std::max(1.0, std::round(scale)));
        if (p.rounds > 100000)
            throw ConfigError("mtesim trace gen: --scale " + std::to_string(scale) + ", expected at most 100000 rounds of bugs");
        auto generator = std::make_unique<BugsWorkload>(p);
        bugs = generator.get();
        name = bugs->description();
        source = std::move(generator);
    }
    store.check_unknown_keys();
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t events = TraceCommand::write_trace(*source, out_path, vm.count("compress") > 0);
    if (bugs) { /* the faults a correct MTE system reports in sync mode, next to the trace */
        const std::string expected = out_path + ".faults.csv";
        std::ofstream file(expected);
        bugs->write_expected(file);
        if (!file.flush()) throw ConfigError(expected + ": cannot write");
        out << "expected faults (sync mode): " << expected << "\n";
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "mtesim trace gen: " << events << " events (" << name << ", profile " << profile << ") -> " << out_path << " ("
        << std::filesystem::file_size(out_path) << " bytes) in " << s << " s\n";
    return 0;
}

int stat(const std::string &in, std::ostream &out) {
    auto source = TraceCommand::open(in);
    std::map<std::string, std::uint64_t> ops;
    std::map<std::uint32_t, std::uint64_t> threads;
    std::uint64_t events = 0;
    const auto start = std::chrono::steady_clock::now();
    TraceEvent ev;
    while (source->next(ev)) {
        ++events;
        ++ops[trace_op_name(ev.op)];
        ++threads[ev.thread];
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::ostringstream o;
    o << "trace     " << in << "\nevents    " << events << " (read at " << static_cast<std::uint64_t>(events / std::max(s, 1e-9))
      << " events/s)\nthreads   " << threads.size() << "\nnames     " << source->name_count() << "\nby kind  ";
    for (const auto &[k, n] : ops) o << " " << k << " " << n;
    o << "\n";
    out << o.str();
    return 0;
}

}  // namespace

/* Writes every event of @src to @out_path (text for .trace/.txt, else binary; zstd with
 * @compress or a .zst ending) through a temporary name, so a failure leaves no half-written
 * file. Returns the number of events. */
std::uint64_t TraceCommand::write_trace(IEventSource &src, const std::string &out_path, bool compress) {
    const std::string tmp = out_path + ".tmp";
    std::uint64_t events = 0;
    try {
        TraceEvent ev;
        auto name_of = [&](std::uint32_t id) { return src.name_of(id); };
        if (ends_with(out_path, ".trace") || ends_with(out_path, ".txt")) {
            std::ofstream file(tmp);
            if (!file) throw ConfigError(out_path + ": cannot open for writing");
            TextTraceWriter w(file);
            while (src.next(ev)) {
                w.write(ev, name_of);
                ++events;
            }
            if (!file.flush()) throw ConfigError(out_path + ": write error");
        } else {
            BinaryTraceWriter w(tmp, compress || ends_with(out_path, ".zst"));
            while (src.next(ev)) {
                w.write(ev, name_of);
                ++events;
            }
            w.close();
        }
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, out_path, ec);
    if (ec) throw ConfigError(out_path + ": cannot write (" + ec.message() + ")");
    return events;
}

std::unique_ptr<IEventSource> TraceCommand::open(const std::string &path) {
    if (BinaryTraceReader::is_binary(path)) return std::make_unique<BinaryTraceReader>(path);
    return std::make_unique<TextTraceReader>(path);
}

int TraceCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim trace: generate, convert and inspect workload traces\n\n"
                                 "Usage: mtesim trace gen OUT [--profile heap] [--seed S] [--scale X] [--board B] [--set workload.k=v]...\n"
                                 "       mtesim trace convert IN OUT [--compress]\n"
                                 "       mtesim trace stat FILE\n"
                                 "       mtesim trace capture OUT [--accesses heap|all] [--tcf MODE] [--quarantine-mb N] [--redzone B] -- PROGRAM [ARGS...]\n\n"
                                 "OUT ending in .trace or .txt is the text format, anything else the binary one.\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("compress,z", "write the binary trace as one zstd stream")
        ("profile,p", po::value<std::string>()->default_value("heap"), "gen: workload profile: heap (the generated MTE heap workload of mtesim run), bugs (seeded memory-safety bugs, expected faults in OUT.faults.csv), browser, server, page-cache or swap-storm (docs/trace-format.md)")
        ("seed", po::value<std::uint64_t>(), "gen: seed (sim.seed); the output is deterministic for a seed")
        ("scale", po::value<double>()->default_value(1.0, "1"), "gen: size factor; heap: loads and stores per thread = scale x 200000; bugs: rounds of the four bugs; study profiles: operations per thread (swap-storm: 2 x scale passes)")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault), "gen: the board whose memory the trace is laid out in")
        ("accesses", po::value<std::string>()->default_value("heap"), "capture: record accesses inside heap chunks only (heap) or every access (all)")
        ("tcf", po::value<std::string>()->default_value("sync"), "capture: the recorded threads' tag-check mode")
        ("quarantine-mb", po::value<std::uint64_t>()->default_value(256), "capture: MiB of freed chunks held back from reuse, so that a use after free is seen (ASan's quarantine_size_mb default)")
        ("redzone", po::value<std::uint64_t>()->default_value(16), "capture: bytes of redzone on each side of a chunk (a power of two, 16 to 4096)")
        ("words", po::value<std::vector<std::string>>(), "the verb and its files");
    CommandLine::add_settings_options(opts);
    po::positional_options_description pos;
    pos.add("words", -1);
    po::variables_map vm = CommandLine::parse("trace", args, opts, &pos);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    const auto words = vm.count("words") ? vm["words"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (words.size() == 3 && words[0] == "convert") return convert(words[1], words[2], vm.count("compress") > 0, out);
    if (words.size() == 2 && words[0] == "stat") return stat(words[1], out);
    if (words.size() == 2 && words[0] == "gen") return gen(vm, words[1], out);
    if (words.size() >= 3 && words[0] == "capture") {
        TraceCapture::Options o;
        o.out_path = words[1];
        o.accesses = vm["accesses"].as<std::string>();
        o.tcf = vm["tcf"].as<std::string>();
        o.quarantine_mb = vm["quarantine-mb"].as<std::uint64_t>();
        o.redzone = vm["redzone"].as<std::uint64_t>();
        o.compress = vm.count("compress") > 0;
        return TraceCapture::run(o, std::vector<std::string>(words.begin() + 2, words.end()), std::cerr); /* stdout is the program's */
    }
    throw ConfigError("mtesim trace: expected 'gen OUT', 'convert IN OUT', 'stat FILE' or 'capture OUT -- PROGRAM [ARGS]' "
                      "(see mtesim trace --help)");
}

}  // namespace mtesim
