// DramReplayCommand: parse options, resolve the DRAM config (preset + --config + --set), replay,
// print. Output is composed in memory and written at the end: bad input leaves no half report.
#include "app/dram_replay_command.h"

#include "app/command_line.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dram/dram_replay.h"

#include <cstdio>
#include <sstream>

namespace po = boost::program_options;

namespace mtesim {

int DramReplayCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim dram-replay: replay a memory-request trace against the DRAM model alone\n\n"
                                 "Usage: mtesim dram-replay --trace FILE [--preset NAME] [--config F.ini] [--set k=v]\n\n"
                                 "Options");
    opts.add_options()
        ("help,h", "print this help")
        ("trace,t", po::value<std::string>(), "request trace (dramsim3, ramulator or dramsys format)")
        ("format,f", po::value<std::string>()->default_value("auto"), "trace format: auto|dramsim3|ramulator|dramsys")
        ("preset,p", po::value<std::string>()->default_value("ddr4-3200"),
         "DRAM preset: a name from configs/dram/ or a path to an .ini file")
        ("queue-depth,q", po::value<std::uint32_t>(), "read and write queue entries per channel (sets dram.read_queue and dram.write_queue)")
        ("request-bytes", po::value<std::uint32_t>()->default_value(64), "bytes per request")
        ("max-requests", po::value<std::uint64_t>()->default_value(0), "stop after this many requests (0: all)");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("dram-replay", args, opts);
    if (vm.count("help")) {
        out << opts << "\nBuilt-in presets: ";
        for (const auto &p : ConfigLoader::dram_presets()) out << p << " ";
        out << "\n";
        return 0;
    }
    if (!vm.count("trace")) throw ConfigError("mtesim dram-replay: --trace is required (see mtesim dram-replay --help)");
    DramTraceReader::Format format;
    if (!DramTraceReader::parse_format(vm["format"].as<std::string>(), format))
        throw ConfigError("mtesim dram-replay: --format '" + vm["format"].as<std::string>() +
                          "', expected auto, dramsim3, ramulator or dramsys");
    const auto req_bytes = vm["request-bytes"].as<std::uint32_t>();
    if (vm.count("queue-depth")) {
        const auto queue = vm["queue-depth"].as<std::uint32_t>();
        if (queue == 0 || queue > 4096) throw ConfigError("mtesim dram-replay: --queue-depth " + std::to_string(queue) + ", expected 1..4096");
    }
    if (req_bytes == 0 || req_bytes > 4096) throw ConfigError("mtesim dram-replay: --request-bytes " + std::to_string(req_bytes) + ", expected 1..4096");

    ConfigStore base = CommandLine::settings(vm);
    ConfigStore store = ConfigLoader::with_dram_preset(base, vm["preset"].as<std::string>(), "--preset");
    if (vm.count("queue-depth")) {
        const std::string q = std::to_string(vm["queue-depth"].as<std::uint32_t>());
        store.set("dram.read_queue", q, "--queue-depth", ConfigStore::Layer::command_line);
        store.set("dram.write_queue", q, "--queue-depth", ConfigStore::Layer::command_line);
    }
    const DramConfig dram = DramConfig::resolve(store);
    store.check_unknown_keys();

    DramTraceReader reader(vm["trace"].as<std::string>(), format);
    DramReplay replay(dram, req_bytes);
    const DramReplayResult r = replay.run(reader, vm["max-requests"].as<std::uint64_t>());

    const double tck_ns = dram.tck_ps / 1000.0;
    const auto &t = r.traffic;
    std::ostringstream s;
    s << "mtesim dram-replay\n"
      << "trace       " << vm["trace"].as<std::string>() << " (" << DramTraceReader::format_name(reader.format())
      << "), " << r.requests << " requests (" << t.reads << " reads, " << t.writes << " writes)\n"
      << "dram        " << dram.preset << ": " << dram.channels << " channel(s) x " << dram.ranks << " rank(s) x "
      << dram.banks_per_rank() << " banks, tCK " << fixed(tck_ns, 3) << " ns, peak "
      << fixed(dram.peak_bytes_per_second() / 1e9, 2) << " GB/s, "
      << (dram.page_policy == DramConfig::PagePolicy::open ? "open" : dram.page_policy == DramConfig::PagePolicy::closed ? "closed" : "timeout")
      << " page, " << dram.field_order << ", queues " << dram.read_queue << " read / " << dram.write_queue << " write\n"
      << "simulated   " << fixed(r.sim_seconds * 1e6, 3) << " us (" << r.end_cycle << " cycles)\n"
      << "bandwidth   " << fixed(r.bandwidth / 1e9, 3) << " GB/s ("
      << fixed(100.0 * r.bandwidth / dram.peak_bytes_per_second(), 1) << "% of peak)\n"
      << "read lat    avg " << fixed(t.latency.mean() * tck_ns, 2) << " ns (" << fixed(t.latency.mean(), 1)
      << " cycles), p99 " << fixed(static_cast<double>(t.latency.percentile(0.99)) * tck_ns, 2) << " ns, max "
      << fixed(static_cast<double>(t.latency.max()) * tck_ns, 2) << " ns\n"
      << "write lat   avg " << fixed(t.write_latency.mean() * tck_ns, 2) << " ns, p99 "
      << fixed(static_cast<double>(t.write_latency.percentile(0.99)) * tck_ns, 2) << " ns\n"
      << "queues      read avg " << fixed(r.scheduler.read_queue_mean(), 2) << " max " << r.scheduler.read_queue_max
      << ", write avg " << fixed(r.scheduler.write_queue_mean(), 2) << " max " << r.scheduler.write_queue_max
      << "; forwarded reads " << r.scheduler.forwarded_reads << ", merged writes " << r.scheduler.merged_writes << "\n"
      << "drains      " << r.scheduler.drain_episodes << " (" << r.scheduler.drain_high_watermark
      << " at the high watermark); turnarounds rd>wr " << r.scheduler.read_to_write << ", wr>rd "
      << r.scheduler.write_to_read << ", rank switches " << r.scheduler.rank_switches << "\n"
      << "row buffer  hits " << t.row_hits << " (" << fixed(100.0 * static_cast<double>(t.row_hits) / std::max<double>(1, static_cast<double>(t.row_hits + t.row_misses + t.row_conflicts)), 1)
      << "%), misses " << t.row_misses << ", conflicts " << t.row_conflicts << "\n"
      << "refreshes   " << r.refreshes << "\n"
      << "host        " << fixed(r.host_seconds, 3) << " s, "
      << fixed(static_cast<double>(r.requests) / std::max(r.host_seconds, 1e-9), 0) << " requests/s\n";
    out << s.str();
    return 0;
}

}  // namespace mtesim
