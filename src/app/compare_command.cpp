// CompareCommand: see the header.
#include "app/compare_command.h"

#include "app/command_line.h"
#include "app/grid_runner.h"
#include "app/run_command.h"
#include "app/seed_summary.h"
#include "app/stat_pattern.h"
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
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace mtesim {

namespace {

/// "mean" for one seed, "mean ± sd" over several, with @decimals (a count's mean of 100 or
/// more without its fraction, which would only be noise in a table read by eye).
std::string cell(const SeedSummary::Spread &s, int decimals) {
    if (s.n < 2) return fixed(s.mean, decimals);
    if (decimals == 1 && (std::fabs(s.mean) >= 100 || (s.mean == std::round(s.mean) && s.sd == 0))) decimals = 0;
    return fixed(s.mean, decimals) + " ± " + fixed(s.sd, decimals);
}

}  // namespace

int CompareCommand::run(const std::vector<std::string> &args, std::ostream &out) {
    po::options_description opts("mtesim compare: run a grid of settings and compare it with the static carve-out\n\n"
                                 "Usage: mtesim compare [--board BOARD] [--trace FILE] --vary KEY=V1,V2 [--vary ...] --out DIR [-j N]\n"
                                 "       [--seeds N]\n\nOptions");
    opts.add_options()
        ("help,h", "print this help")
        ("board,b", po::value<std::string>()->default_value(BuiltInBoards::kDefault), "board")
        ("trace,t", po::value<std::string>(), "workload trace; default: the generated workload")
        ("vary", po::value<std::vector<std::string>>()->composing(), "section.key=v1,v2,...: one axis of the grid; repeatable")
        ("out,o", po::value<std::string>(), "output directory")
        ("jobs,j", po::value<unsigned>()->default_value(1), "points run at once")
        ("stat", po::value<std::vector<std::string>>()->composing(),
         "a statistic of stats.json to tabulate as well (one '*' sums every one it matches: board.cpu@*.kernel_cycles); repeatable")
        ("seeds", po::value<unsigned>()->default_value(1),
         "runs per point with seeds sim.seed, sim.seed+1, ... and mm.shuffle=true (page placement and the workload's random "
         "choices vary); tables show mean and spread, charts error bars");
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
    const unsigned seeds = vm["seeds"].as<unsigned>();
    if (seeds == 0 || seeds > 1000) throw ConfigError("mtesim compare: --seeds " + std::to_string(seeds) + ", expected 1 to 1000");
    ConfigStore store = CommandLine::settings(vm);
    const std::uint64_t first_seed = ConfigStore(store).get_u64("sim.seed", 1, "count", "seed of every random choice in the run (IRG)");
    const std::string board = vm["board"].as<std::string>();
    BoardLoader::load(board); /* bad boards are reported before any run */
    const std::string trace = vm.count("trace") ? vm["trace"].as<std::string>() : "";
    std::vector<StatPattern> extra;
    if (vm.count("stat"))
        for (const auto &s : vm["stat"].as<std::vector<std::string>>()) extra.emplace_back(s, "mtesim compare: --stat");
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
    std::vector<GridPoint> runs = GridRunner::with_seeds(points, seeds, first_seed);
    GridRunner::record_grid(dir, "compare", runs, seeds, /*check=*/false, /*must_exist=*/false);
    GridRunner::run(runs, store, jobs, false);
    GridRunner::add_patterns(runs, extra, "compare");
    const SeedSummary sum(runs, seeds, std::vector<std::size_t>(points.size(), 0));

    // Table: CSV and Markdown. Over several seeds every figure is "mean ± sd", with the sd in a
    // column of its own in the CSV, and a difference from the baseline within the spread is
    // marked "≈" in the Markdown.
    std::vector<std::pair<std::string, std::string>> cols = {
        {"sim.time_ps", "simulated ps"}, {"mm.reserve.fast", "fast"}, {"mm.reserve.slow", "slow"},
        {"mm.reserve.dropped", "cleancache drops"}, {"mm.reserve.failed", "failed"},
        {"mm.reserve.refcount_hits", "refcount hits"}, {"mm.pages_migrated", "migrated pages"}, {"mm.ipis", "IPIs"},
        {"mm.starvation", "starvation"}, {"kernel.swap.outs", "swap-outs"}, {"kernel.cleancache.refaults", "refaults"},
        {"kernel.oom.kills", "OOM kills"}, {"mm.pool.peak_data_pages", "pool peak data pages"},
        {"mm.pool.peak_tag_pages", "pool peak tag pages"}};
    for (const StatPattern &p : extra) cols.emplace_back(p.text(), p.text());
    const bool spread = seeds > 1;
    const int count_decimals = spread ? 1 : 0;
    std::ostringstream csv, md;
    csv << "point,settings,slowdown" << (spread ? ",slowdown.sd" : "");
    md << "| point | settings | slowdown |";
    for (const auto &[k, h] : cols) {
        csv << "," << k << (spread ? "," + k + ".sd" : "");
        md << " " << h << " |";
    }
    csv << "\n";
    md << "\n|---|---|---|";
    for (std::size_t i = 0; i < cols.size(); ++i) md << "---|";
    md << "\n";
    const auto mark = [&](std::size_t i, const std::string &key) { return sum.within_spread(i, key) ? " ≈" : ""; };
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto &p = points[i];
        const SeedSummary::Spread slow = sum.slowdown(i);
        csv << p.dir.filename().string() << ",\"" << p.label << "\"," << fixed(slow.mean, 4);
        if (spread) csv << "," << fixed(slow.sd, 4);
        md << "| " << p.dir.filename().string() << " | " << p.label << " | " << cell(slow, spread ? 4 : 3) << mark(i, "slowdown") << " |";
        for (const auto &[k, h] : cols) {
            const SeedSummary::Spread v = sum.stat(i, k);
            csv << "," << fixed(v.mean, count_decimals);
            if (spread) csv << "," << fixed(v.sd, count_decimals);
            md << " " << cell(v, count_decimals) << mark(i, k) << " |";
        }
        csv << "\n";
        md << "\n";
    }
    if (spread)
        md << "\nMean ± sample standard deviation over " << seeds << " seeds (sim.seed " << first_seed << " to "
           << first_seed + seeds - 1 << ", mm.shuffle=true); slowdown paired by seed. ≈: the difference from the static "
           << "carve-out is within the spread (|difference| ≤ the two standard deviations added).\n";
    std::ofstream(dir / "compare.csv") << csv.str();
    std::ofstream(dir / "compare.md") << md.str();

    // Charts.
    std::vector<std::string> cats;
    for (std::size_t i = 1; i < points.size(); ++i) cats.push_back(points[i].values);
    std::string axes;
    for (const auto &[k, v] : points[1].sets) axes += (axes.empty() ? "" : " / ") + k;
    const std::string over = spread ? "; mean ± sd of " + std::to_string(seeds) + " seeds" : "";
    auto series = [&](const std::string &name, const std::string &key) {
        SvgChart::Series s{name, {}, {}};
        for (std::size_t i = 1; i < points.size(); ++i) {
            const SeedSummary::Spread v = sum.stat(i, key);
            s.values.push_back(v.mean);
            if (spread) s.errors.push_back(v.sd);
        }
        return s;
    };
    SvgChart::Series slowdown{"slowdown", {}, {}};
    for (std::size_t i = 1; i < points.size(); ++i) {
        const SeedSummary::Spread v = sum.slowdown(i);
        slowdown.values.push_back(v.mean);
        if (spread) slowdown.errors.push_back(v.sd);
    }
    SvgChart::BarStyle against_baseline;
    against_baseline.has_baseline = true;
    against_baseline.baseline = 1;
    against_baseline.baseline_label = "static carve-out = 1";
    std::ofstream(dir / "slowdown.svg") << SvgChart::bars("Simulated time relative to the static carve-out (" + axes + ")",
                                                          "slowdown (x, static carve-out = 1" + over + ")", cats, {slowdown},
                                                          against_baseline);
    SvgChart::BarStyle stacked;
    stacked.stacked = true;
    std::ofstream(dir / "reservations.svg")
        << SvgChart::bars("Tag-storage reservations by path (" + axes + ")", "tag blocks" + over, cats,
                          {series("refcount hit", "mm.reserve.refcount_hits"), series("fast path", "mm.reserve.fast"),
                           series("slow path", "mm.reserve.slow"), series("cleancache drop", "mm.reserve.dropped"),
                           series("failed", "mm.reserve.failed")},
                          stacked);
    std::ofstream(dir / "migrations.svg") << SvgChart::bars("Migrations and IPIs of the slow path (" + axes + ")", "count" + over, cats,
                                                            {series("pages migrated", "mm.pages_migrated"), series("IPIs", "mm.ipis")},
                                                            SvgChart::BarStyle{});
    SvgChart::BarStyle starvation_base;
    starvation_base.has_baseline = true;
    starvation_base.baseline = sum.stat(0, "mm.starvation").mean;
    starvation_base.baseline_label =
        "static carve-out = " + fixed(starvation_base.baseline, starvation_base.baseline == std::round(starvation_base.baseline) ? 0 : 1);
    std::ofstream(dir / "starvation.svg") << SvgChart::bars("Unmovable allocations starved while the pool had room (" + axes + ")",
                                                            "events" + over, cats, {series("starvation", "mm.starvation")},
                                                            starvation_base);
    std::vector<SvgChart::Line> lines;
    for (std::size_t i = 1; i < points.size(); ++i) {
        SvgChart::Line l{points[i].values, {}, {}};
        std::ifstream in(sum.point(i).dir / "pool.csv");
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
    std::ofstream(dir / "pool.svg") << SvgChart::lines(std::string("Tag-storage pool holding data over time") +
                                                           (spread ? " (first seed)" : ""),
                                                       "simulated time (us)", "pool memory holding data (MiB)", lines);
    out << md.str() << "\nwrote " << (dir / "compare.csv").string() << ", compare.md, slowdown.svg, reservations.svg, "
        << "migrations.svg, starvation.svg, pool.svg\n";
    return 0;
}

}  // namespace mtesim
