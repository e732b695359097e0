// CompareCommand: see the header.
#include "app/compare_command.h"

#include "app/command_line.h"
#include "app/grid_runner.h"
#include "app/run_command.h"
#include "app/stats_export.h"
#include "app/stats_file.h"
#include "app/svg_chart.h"
#include "mtesim/common/config_error.h"
#include "mtesim/common/format.h"
#include "mtesim/common/trace_error.h"
#include "mtesim/config/config_loader.h"
#include "mtesim/dt/board_loader.h"
#include "mtesim/dt/built_in_boards.h"
#include "platform/platform.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mtesim {

int CompareCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim compare: run a grid of settings and compare it with the static carve-out\n\n"
                                 "Usage: mtesim compare [--board BOARD] [--trace FILE] --vary KEY=V1,V2 [--vary ...] --out DIR [-j N]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault), "board")
        ("trace,t", po::value<std::string>(), "workload trace; default: the generated workload")
        ("vary", po::value<std::vector<std::string>>()->composing(), "section.key=v1,v2,...: one axis of the grid; repeatable")
        ("out,o", po::value<std::string>(), "output directory")
        ("jobs,j", po::value<unsigned>()->default_value(1), "points run at once");
    CommandLine::add_settings_options(opts);
    po::variables_map vm = CommandLine::parse("compare", args, opts);
    if (vm.count("help")) {
        out << opts;
        return 0;
    }
    if (!vm.count("vary") || !vm.count("out"))
        throw ConfigError("mtesim compare: --vary and --out are required (see mtesim compare --help)");
    const unsigned jobs = vm["jobs"].as<unsigned>();
    if (jobs == 0 || jobs > 256) throw ConfigError("mtesim compare: -j " + std::to_string(jobs) + ", expected 1 to 256");
    ConfigStore store = CommandLine::settings(vm);
    const std::string board = vm["board"].as<std::string>();
    BoardLoader::load(board); /* bad boards are reported before any run */
    const std::string trace = vm.count("trace") ? vm["trace"].as<std::string>() : "";
    std::vector<GridPoint> points = GridRunner::expand("compare", vm["vary"].as<std::vector<std::string>>());
    GridPoint baseline;
    baseline.label = "static carve-out";
    baseline.sets = {{"mm.tag_storage", "static"}};
    points.insert(points.begin(), baseline);
    for (auto &p : points) {
        p.board = board;
        p.trace = trace;
    }

    const fs::path dir(vm["out"].as<std::string>());
    std::error_code ec;
    fs::create_directories(dir / "points", ec);
    if (ec) throw ConfigError(dir.string() + ": cannot create the output directory (" + ec.message() + ")");
    for (std::size_t i = 0; i < points.size(); ++i)
        points[i].dir = dir / "points" / (i == 0 ? std::string("baseline") : "p" + std::to_string(i));
    GridRunner::run(points, store, jobs, false);

    // Table: CSV and Markdown.
    const double base_time = std::max(1.0, points[0].stat("sim.time_ps"));
    const std::vector<std::pair<std::string, std::string>> cols = {
        {"sim.time_ps", "simulated ps"}, {"mm.reserve.fast", "fast"}, {"mm.reserve.slow", "slow"},
        {"mm.reserve.dropped", "cleancache drops"}, {"mm.reserve.failed", "failed"},
        {"mm.reserve.refcount_hits", "refcount hits"}, {"mm.pages_migrated", "migrated pages"}, {"mm.ipis", "IPIs"},
        {"mm.starvation", "starvation"}, {"kernel.swap.outs", "swap-outs"}, {"kernel.cleancache.refaults", "refaults"},
        {"kernel.oom.kills", "OOM kills"}, {"mm.pool.peak_data_pages", "pool peak data pages"},
        {"mm.pool.peak_tag_pages", "pool peak tag pages"}};
    std::ostringstream csv, md;
    csv << "point,settings,slowdown";
    md << "| point | settings | slowdown |";
    for (const auto &[k, h] : cols) {
        csv << "," << k;
        md << " " << h << " |";
    }
    csv << "\n";
    md << "\n|---|---|---|";
    for (std::size_t i = 0; i < cols.size(); ++i) md << "---|";
    md << "\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto &p = points[i];
        const double slow = p.stat("sim.time_ps") / base_time;
        csv << p.dir.filename().string() << ",\"" << p.label << "\"," << fixed(slow, 4);
        md << "| " << p.dir.filename().string() << " | " << p.label << " | " << fixed(slow, 3) << " |";
        for (const auto &[k, h] : cols) {
            csv << "," << fixed(p.stat(k), 0);
            md << " " << fixed(p.stat(k), 0) << " |";
        }
        csv << "\n";
        md << "\n";
    }
    std::ofstream(dir / "compare.csv") << csv.str();
    std::ofstream(dir / "compare.md") << md.str();

    // Charts.
    std::vector<std::string> cats;
    for (std::size_t i = 1; i < points.size(); ++i) cats.push_back(points[i].values);
    std::string axes;
    for (const auto &[k, v] : points[1].sets) axes += (axes.empty() ? "" : " / ") + k;
    auto series = [&](const std::string &name, const std::string &key, double scale = 1) {
        SvgChart::Series s{name, {}};
        for (std::size_t i = 1; i < points.size(); ++i) s.values.push_back(points[i].stat(key) * scale);
        return s;
    };
    SvgChart::Series slowdown{"slowdown", {}};
    for (std::size_t i = 1; i < points.size(); ++i) slowdown.values.push_back(points[i].stat("sim.time_ps") / base_time);
    std::ofstream(dir / "slowdown.svg") << SvgChart::bars("Simulated time relative to the static carve-out (" + axes + ")",
                                                          "slowdown (x, static carve-out = 1)", cats, {slowdown}, false);
    std::ofstream(dir / "reservations.svg")
        << SvgChart::bars("Tag-storage reservations by path (" + axes + ")", "tag blocks", cats,
                          {series("refcount hit", "mm.reserve.refcount_hits"), series("fast path", "mm.reserve.fast"),
                           series("slow path", "mm.reserve.slow"), series("cleancache drop", "mm.reserve.dropped"),
                           series("failed", "mm.reserve.failed")},
                          true);
    std::ofstream(dir / "migrations.svg") << SvgChart::bars("Migrations and IPIs of the slow path (" + axes + ")", "count", cats,
                                                            {series("pages migrated", "mm.pages_migrated"), series("IPIs", "mm.ipis")},
                                                            false);
    std::ofstream(dir / "starvation.svg") << SvgChart::bars("Unmovable allocations starved while the pool had room (" + axes + ")",
                                                            "events", cats, {series("starvation", "mm.starvation")}, false);
    std::vector<SvgChart::Line> lines;
    for (std::size_t i = 1; i < points.size(); ++i) {
        SvgChart::Line l{points[i].values, {}, {}};
        std::ifstream in(points[i].dir / "pool.csv");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            double t = 0, d = 0;
            if (std::sscanf(line.c_str(), "%lf,%lf", &t, &d) == 2) {
                l.x.push_back(t / 1e6);
                l.y.push_back(d * kPageSize / double(1 << 20));
            }
        }
        lines.push_back(l);
    }
    std::ofstream(dir / "pool.svg") << SvgChart::lines("Tag-storage pool holding data over time", "simulated time (us)",
                                                       "pool memory holding data (MiB)", lines);
    out << md.str() << "\nwrote " << (dir / "compare.csv").string() << ", compare.md, slowdown.svg, reservations.svg, "
        << "migrations.svg, starvation.svg, pool.svg\n";
    return 0;
}

}  // namespace mtesim
