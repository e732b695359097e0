// TraceCommand: see the header. Conversion writes OUT to a temporary name and renames it, so a
// bad input leaves no half-written output.
#include "app/trace_command.h"

#include "app/command_line.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/trace/binary_trace_reader.h"
#include "mtesim/trace/binary_trace_writer.h"
#include "mtesim/trace/text_trace_reader.h"
#include "mtesim/trace/text_trace_writer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
    const std::string tmp = out_path + ".tmp";
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t events = 0;
    try {
        TraceEvent ev;
        auto name_of = [&](std::uint32_t id) { return source->name_of(id); };
        if (ends_with(out_path, ".trace") || ends_with(out_path, ".txt")) {
            std::ofstream file(tmp);
            if (!file) throw ConfigError(out_path + ": cannot open for writing");
            TextTraceWriter w(file);
            while (source->next(ev)) {
                w.write(ev, name_of);
                ++events;
            }
            if (!file.flush()) throw ConfigError(out_path + ": write error");
        } else {
            BinaryTraceWriter w(tmp, compress || ends_with(out_path, ".zst"));
            while (source->next(ev)) {
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
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "mtesim trace convert: " << events << " events, " << in << " -> " << out_path << " ("
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

std::unique_ptr<IEventSource> TraceCommand::open(const std::string &path) {
    if (BinaryTraceReader::is_binary(path)) return std::make_unique<BinaryTraceReader>(path);
    return std::make_unique<TextTraceReader>(path);
}

int TraceCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim trace: convert and inspect workload traces\n\n"
                                 "Usage: mtesim trace convert IN OUT [--compress]\n"
                                 "       mtesim trace stat FILE\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("compress,z", "write the binary trace as one zstd stream")
        ("words", po::value<std::vector<std::string>>(), "the verb and its files");
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
    throw ConfigError("mtesim trace: expected 'convert IN OUT' or 'stat FILE' (see mtesim trace --help)");
}

}  // namespace mtesim
